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
