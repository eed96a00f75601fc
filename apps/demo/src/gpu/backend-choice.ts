/** Where the page can run the model: `?backend=` values. */
export const PAGE_BACKENDS = ['auto', 'webgpu', 'wasm', 'webgl'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];
/** A backend TF.js actually runs on. */
export type ModelBackend = Exclude<PageBackend, 'auto'>;

/** What the page knows about WebGPU before choosing. */
export interface WebGpuProbe {
  /** navigator.gpu exists and gave an adapter. */
  readonly available: boolean;
  /** The adapter's vendor/architecture/description, for messages. */
  readonly name: string;
  /** A software rasteriser (SwiftShader, llvmpipe, WARP) or an adapter that says it is a fallback. */
  readonly software: boolean;
  /** Why WebGPU is unavailable, when it is. */
  readonly problem?: string;
}

/** The model's backend, why, and where the overlay is drawn. */
export interface BackendChoice {
  readonly backend: ModelBackend;
  readonly reason: string;
  /** WebGPU engine (A and G uploaded once when the model is not on webgpu) or a CPU 2-D canvas. */
  readonly overlay: 'webgpu' | 'canvas2d';
}

/**
 * Reads `?backend=`: one of PAGE_BACKENDS ('auto' when absent), or an error message.
 *
 * @example
 * parseBackendQuery(new URLSearchParams('?backend=wasm')); // { backend: 'wasm' }
 */
export function parseBackendQuery(query: URLSearchParams): { backend: PageBackend; problem?: string } {
  const value = query.get('backend');
  if (value === null || value === '') return { backend: 'auto' };
  if ((PAGE_BACKENDS as readonly string[]).includes(value)) return { backend: value as PageBackend };
  return { backend: 'auto', problem: `?backend=${value} is not one of ${PAGE_BACKENDS.join(', ')}; using auto` };
}

// Whether adapter info describes a software adapter: the core's test, which also sizes its
// kernels for such adapters.
export { isSoftwareAdapter } from '@wgcam/core';

/**
 * What runs the model: `requested` when it can run, else (and for 'auto') TF.js webgpu on
 * a hardware adapter, wasm on a software one or without WebGPU. The overlay is drawn by
 * the WebGPU engine whenever WebGPU exists.
 *
 * @example
 * chooseBackend('auto', { available: true, name: 'SwiftShader', software: true }).backend; // 'wasm'
 */
export function chooseBackend(requested: PageBackend, gpu: WebGpuProbe): BackendChoice {
  const overlay = gpu.available ? 'webgpu' : 'canvas2d';
  if (requested === 'webgpu' && !gpu.available) {
    return { backend: 'wasm', overlay, reason: `?backend=webgpu asked for, but WebGPU is unavailable here (${gpu.problem ?? 'no adapter'}): the model runs on TF.js wasm` };
  }
  if (requested !== 'auto') return { backend: requested, overlay, reason: `chosen by ?backend=${requested}` };
  if (!gpu.available) return { backend: 'wasm', overlay, reason: `no WebGPU here (${gpu.problem ?? 'no adapter'}): the model runs on TF.js wasm and the overlay is drawn on a 2-D canvas` };
  if (gpu.software) {
    return {
      backend: 'wasm',
      overlay,
      reason: `only a software WebGPU adapter (${gpu.name}): TF.js webgpu on it is far slower than TF.js wasm, so the model runs on wasm and the WebGPU engine draws the map (activations and gradients uploaded once per frame)`,
    };
  }
  return { backend: 'webgpu', overlay, reason: `hardware WebGPU adapter (${gpu.name}): TF.js webgpu and wgcam share one GPUDevice, no copies` };
}
