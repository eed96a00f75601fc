import type { ColormapName, MethodName } from '@wgcam/core';
import { PREPROCESS_PRESET_NAMES, PREPROCESS_PRESETS, type PreprocessPreset } from '@wgcam/core/tfjs';
import { normalizationOf, type Normalization } from '@wgcam/web-adapter';

/** A preprocessing preset (the Keras / torchvision conventions), as the control offers them. */
export type InputRange = PreprocessPreset;

/** How pixel values map to model inputs: the core's presets, done by the frame input's GPU pass. */
export const INPUT_RANGES: Readonly<Record<InputRange, { title: string; normalization: Normalization }>> = Object.fromEntries(
  PREPROCESS_PRESET_NAMES.map((name) => [name, { title: `${name}: ${PREPROCESS_PRESETS[name].description}`, normalization: normalizationOf(PREPROCESS_PRESETS[name].transform) }]),
) as Record<InputRange, { title: string; normalization: Normalization }>;

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
