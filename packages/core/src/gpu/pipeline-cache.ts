import { KERNELS, type KernelName } from '@wgcam/shaders';
import { GpuError } from '../errors.js';
import { SHADER_STAGE_COMPUTE } from './flags.js';

/** A compiled kernel: its pipeline and the explicit bind group layout it was built with. */
export interface CachedPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  /**
   * Resolves with a GpuError naming the kernel when its shader module, layout or pipeline
   * was invalid (else null); never rejects. Every batch that uses the pipeline awaits it, so
   * an invalid kernel fails each call that runs it instead of silently writing nothing.
   */
  readonly problem: Promise<GpuError | null>;
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

/** Pops one error scope; a lost device's rejection counts as no error (the loss is reported on its own). */
function popScope(device: GPUDevice): Promise<GPUError | null> {
  try {
    return device.popErrorScope().catch(() => null);
  } catch {
    return Promise.resolve(null);
  }
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
  // Compilation gets error scopes of its own: an invalid module or pipeline is a
  // validation error that no caller's scope would attribute to this kernel, and a cached
  // invalid pipeline would otherwise only show up as errors of whichever batch uses it.
  device.pushErrorScope('internal');
  device.pushErrorScope('validation');
  let layout: GPUBindGroupLayout;
  let pipeline: GPUComputePipeline;
  let problem: Promise<GpuError | null>;
  try {
    layout = bindGroupLayout(device, kernel);
    const module = device.createShaderModule({ label: kernel, code: info.source });
    pipeline = device.createComputePipeline({
      label: key,
      layout: device.createPipelineLayout({ label: kernel, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: { ...overrides } as Record<string, number> },
    });
  } finally {
    const validation = popScope(device);
    const internal = popScope(device);
    problem = Promise.all([validation, internal]).then(([v, i]) => {
      const error = v ?? i;
      return error ? new GpuError(`kernel ${key}: its shader module or compute pipeline is invalid (${error.message.trim()}); this is a bug in wgcam's WGSL, please report it`) : null;
    });
  }
  const compiled = { pipeline, layout, problem };
  perDevice.set(key, compiled);
  return compiled;
}

/** How many pipelines `device` has compiled so far (for tests of the cache). */
export function pipelineCount(device: GPUDevice): number {
  return cache.get(device)?.size ?? 0;
}
