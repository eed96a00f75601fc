import { WgcamError } from '@wgcam/core';

/** No usable WebGPU adapter: names the missing system package and how to install it. */
export class NoGpuAdapterError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('NO_GPU_ADAPTER', message, options);
  }
}

/** An output folder or file that cannot be written: says which and why. */
export class OutputError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('OUTPUT', message, options);
  }
}

/**
 * A session asked for a TF.js backend other than the one the process already runs on.
 * TF.js has one active backend per process (tf.setBackend is global).
 */
export class BackendConflictError extends WgcamError {
  constructor(message: string) {
    super('BACKEND_CONFLICT', message);
  }
}

/** A TF.js backend could not start here (missing binaries, no adapter): says which and how to fix it. */
export class BackendUnavailableError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('BACKEND_UNAVAILABLE', message, options);
  }
}

/**
 * An image this device cannot explain in one piece: its buffers (model input, overlay,
 * heatmaps at the requested size) exceed what the GPU holds. `maxPixels` is the limit.
 */
export class ImageTooLargeError extends WgcamError {
  readonly maxPixels: number;
  constructor(message: string, maxPixels: number) {
    super('IMAGE_TOO_LARGE', message);
    this.maxPixels = maxPixels;
  }
}
