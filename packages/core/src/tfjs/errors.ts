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

/**
 * A private member of TF.js that wgcam relies on is missing (a TF.js version other than
 * the pinned one): wgcam stops rather than give heatmaps computed on unsubmitted work.
 */
export class TfjsVersionError extends WgcamError {
  constructor(member: string, options?: ErrorOptions) {
    super(
      'TFJS_VERSION',
      `TF.js ${member} is missing: wgcam needs the TF.js version it pins (4.22.0; see package.json). Install that version (npm ci) or upgrade wgcam.`,
      options,
    );
  }
}
