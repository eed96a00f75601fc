import { WgcamError } from '../errors.js';

/** The model cannot be explained as asked: no such layer, no spatial layer, no GAP head for CAM... */
export class ModelError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('MODEL_ERROR', message, options);
  }
}

/** A model file is missing, unreadable or not a TF.js model. */
export class ModelLoadError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('MODEL_LOAD_ERROR', message, options);
  }
}

/** TF.js could not differentiate the target score (an op without a registered gradient). */
export class GradientError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('GRADIENT_ERROR', message, options);
  }
}
