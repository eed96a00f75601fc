import type { CamEngine } from '@wgcam/core';
import type { SpanTimer } from '../timing/span-timer.js';

/** What every suite runs with: one device shared by TF.js and the engine, and its clock. */
export interface BenchContext {
  readonly device: GPUDevice;
  readonly engine: CamEngine;
  readonly timer: SpanTimer;
  readonly log: (line: string) => void;
}
