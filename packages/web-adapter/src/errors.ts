import { WgcamError } from '@wgcam/core';

/**
 * Why a page cannot get a WebGPU device, as something a person can act on:
 * - `insecure-context`: the page is not https:// or http://localhost;
 * - `no-webgpu`: the browser has no `navigator.gpu` (too old, or WebGPU switched off);
 * - `no-adapter`: WebGPU exists but no GPU adapter was found (blocklisted GPU, hardware acceleration off);
 * - `device-failed`: the adapter refused to create a device (limits, features, or the GPU process crashed).
 */
export type WebGpuUnavailableReason = 'insecure-context' | 'no-webgpu' | 'no-adapter' | 'device-failed';

/**
 * Thrown by createWebDevice when the page cannot use WebGPU; `reason` says which step
 * failed and the message what to do about it.
 *
 * @example
 * try { await createWebDevice(); }
 * catch (e) { if (e instanceof WebGpuUnavailableError && e.reason === 'insecure-context') showHttpsHint(); }
 */
export class WebGpuUnavailableError extends WgcamError {
  readonly reason: WebGpuUnavailableReason;
  constructor(reason: WebGpuUnavailableReason, message: string, options?: ErrorOptions) {
    super('WEBGPU_UNAVAILABLE', message, options);
    this.reason = reason;
  }
}
