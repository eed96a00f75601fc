import { KERNELS, type KernelName } from '@wgcam/shaders';
import { SHADER_STAGE_COMPUTE } from './flags.js';

/** A compiled kernel: its pipeline and the explicit bind group layout it was built with. */
export interface CachedPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Override constants of one pipeline; part of its cache key. */
export type OverrideValues = Readonly<Record<string, number | boolean>>;

const cache = new WeakMap<GPUDevice, Map<string, CachedPipeline>>();

function cacheKey(kernel: KernelName, overrides: OverrideValues): string {
  const constants = Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${String(overrides[k])}`);
  return constants.length > 0 ? `${kernel}(${constants.join(',')})` : kernel;
}

function bindGroupLayout(device: GPUDevice, kernel: KernelName): GPUBindGroupLayout {
  const info = KERNELS[kernel];
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform' } },
    ...info.bindings.map(
      (b, i): GPUBindGroupLayoutEntry => ({
        binding: i + 1,
        visibility: SHADER_STAGE_COMPUTE,
        buffer: { type: b.kind },
      }),
    ),
  ];
  return device.createBindGroupLayout({ label: kernel, entries });
}

/**
 * The compute pipeline of `kernel` with `overrides` on `device`, compiled once per device
 * and key. Runtime sizes live in uniforms, so the key is the kernel and its constants.
 *
 * @example
 * const { pipeline, layout } = getPipeline(device, 'render_maps', { HAS_IMAGE: 1 });
 */
export function getPipeline(device: GPUDevice, kernel: KernelName, overrides: OverrideValues): CachedPipeline {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = cacheKey(kernel, overrides);
  const hit = perDevice.get(key);
  if (hit) return hit;

  const info = KERNELS[kernel];
  const unknown = Object.keys(overrides).filter((k) => !info.overrides.includes(k as never));
  if (unknown.length > 0) throw new Error(`kernel ${kernel} has no override constant(s) ${unknown.join(', ')}`);
  const layout = bindGroupLayout(device, kernel);
  const module = device.createShaderModule({ label: kernel, code: info.source });
  const pipeline = device.createComputePipeline({
    label: key,
    layout: device.createPipelineLayout({ label: kernel, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main', constants: { ...overrides } as Record<string, number> },
  });
  const compiled = { pipeline, layout };
  perDevice.set(key, compiled);
  return compiled;
}

/** How many pipelines `device` has compiled so far (for tests of the cache). */
export function pipelineCount(device: GPUDevice): number {
  return cache.get(device)?.size ?? 0;
}
