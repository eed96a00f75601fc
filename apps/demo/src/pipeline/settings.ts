import type { ColormapName, MethodName } from '@wgcam/core';
import { BYTE_RANGE, SIGNED_UNIT_RANGE, UNIT_RANGE, type Normalization } from '@wgcam/web-adapter';

/** How pixel values map to model inputs; the names the range control offers. */
export const INPUT_RANGES = {
  unit: { title: '0 … 1 (pixels / 255)', normalization: UNIT_RANGE },
  signed: { title: '−1 … 1 (pixels / 127.5 − 1)', normalization: SIGNED_UNIT_RANGE },
  byte: { title: '0 … 255 (raw pixels)', normalization: BYTE_RANGE },
} as const satisfies Record<string, { title: string; normalization: Normalization }>;

/** A key of INPUT_RANGES. */
export type InputRange = keyof typeof INPUT_RANGES;

/** What the controls choose; read afresh for every frame. */
export interface ExplainSettings {
  readonly method: MethodName;
  /** 'top1' or a class index to explain. */
  readonly target: 'top1' | number;
  readonly colormap: ColormapName;
  /** Weight of the colour over the image, 0..1. */
  readonly alpha: number;
  /** Target layer; null picks the last layer with a 4-D output. */
  readonly layer: string | null;
  readonly inputRange: InputRange;
}

/** The demo's starting settings. */
export const DEFAULT_SETTINGS: ExplainSettings = { method: 'gradcam++', target: 'top1', colormap: 'jet', alpha: 0.5, layer: null, inputRange: 'unit' };
