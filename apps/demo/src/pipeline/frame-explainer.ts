import type { LoadedModel } from '../model/loaded-model.js';
import type { FrameSource } from '@wgcam/web-adapter';
import type { ExplainerCounters, FrameReport, ProbedFrame } from './live-explainer.js';
import type { ExplainSettings } from './settings.js';

/**
 * What the page asks of a model's per-frame explainer, whichever pipeline it is: the WebGPU
 * one (LiveExplainer) or the CPU one that draws on a 2-D canvas (CanvasExplainer).
 */
export interface FrameExplainer {
  readonly loaded: LoadedModel;
  readonly layers: readonly string[];
  readonly automaticLayer: string;
  readonly layer: string;
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  readonly timesOnGpu: boolean;
  readonly videoPath: string;
  readonly counters: ExplainerCounters;
  setLayer(layer: string | null): void;
  probeNextFrame(): Promise<ProbedFrame>;
  render(source: FrameSource, settings: ExplainSettings): Promise<FrameReport | null>;
  dispose(): void;
}
