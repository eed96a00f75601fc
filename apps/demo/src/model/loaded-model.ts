import type * as tf from '@tensorflow/tfjs';
import type { PreprocessPreset } from '@wgcam/core/tfjs';

/** A model ready to explain, with what the page shows about it. */
export interface LoadedModel {
  readonly model: tf.LayersModel | tf.GraphModel;
  /** Class names, when the model came with a labels.json. */
  readonly labels: readonly string[] | undefined;
  /** Where it came from, for display: a URL or the dropped file's name. */
  readonly source: string;
  /** The preprocessing its folder's wgcam.json or metadata.json names. */
  readonly preprocess?: PreprocessPreset;
  /** The layer its wgcam.json names. */
  readonly layer?: string;
  /** Which file described it (wgcam.json, or metadata.json for Teachable Machine). */
  readonly describedBy?: string;
}

/** A model file could not be loaded or is not a usable TF.js model. */
export class ModelLoadFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelLoadFailure';
  }
}
