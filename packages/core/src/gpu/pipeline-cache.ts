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
/** Background compiles in flight (preparePipeline), by device and key. */
const compiling = new WeakMap<GPUDevice, Map<string, Promise<void>>>();

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
  const perDevice = perDeviceMap(cache, device);
  const key = cacheKey(kernel, overrides);
  const hit = perDevice.get(key);
  if (hit) return hit;

  checkOverrideNames(kernel, overrides);
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
    pipeline = device.createComputePipeline(pipelineDescriptor(device, kernel, key, overrides, layout));
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

/** `maps`' map for `device`, created on first use. */
function perDeviceMap<T>(maps: WeakMap<GPUDevice, Map<string, T>>, device: GPUDevice): Map<string, T> {
  let perDevice = maps.get(device);
  if (!perDevice) {
    perDevice = new Map();
    maps.set(device, perDevice);
  }
  return perDevice;
}

/** The shader module and pipeline descriptor of `kernel` with `overrides`, on `layout` (getPipeline and preparePipeline build the same). */
function pipelineDescriptor(device: GPUDevice, kernel: KernelName, key: string, overrides: OverrideValues, layout: GPUBindGroupLayout): GPUComputePipelineDescriptor {
  const module = device.createShaderModule({ label: kernel, code: KERNELS[kernel].source });
  return {
    label: key,
    layout: device.createPipelineLayout({ label: kernel, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main', constants: { ...overrides } as Record<string, number> },
  };
}

function checkOverrideNames(kernel: KernelName, overrides: OverrideValues): void {
  const unknown = Object.keys(overrides).filter((k) => !KERNELS[kernel].overrides.includes(k as never));
  if (unknown.length > 0) throw new Error(`kernel ${kernel} has no override constant(s) ${unknown.join(', ')}`);
}

/**
 * Starts compiling `kernel` with `overrides` off the JavaScript thread
 * (createComputePipelineAsync), so that a later getPipeline finds it in the cache instead of
 * blocking on the compile: a large kernel takes seconds to compile on a software adapter,
 * time that can pass while the model runs. Resolves once the pipeline is cached, or once
 * the background compile has failed, leaving the key uncached so that getPipeline compiles
 * it again and reports the problem as it always does; never rejects. A getPipeline call
 * before the promise resolves compiles the pipeline itself (correct, but the compile is
 * then paid twice), so callers await it first.
 *
 * @example
 * const ready = preparePipeline(device, 'road_impute', { LANES: 16 });
 * // ... run the model ...
 * await ready;
 * const { pipeline } = getPipeline(device, 'road_impute', { LANES: 16 }); // no compile here
 */
export function preparePipeline(device: GPUDevice, kernel: KernelName, overrides: OverrideValues): Promise<void> {
  checkOverrideNames(kernel, overrides);
  const key = cacheKey(kernel, overrides);
  if (cache.get(device)?.has(key)) return Promise.resolve();
  const perDevice = perDeviceMap(compiling, device);
  const inFlight = perDevice.get(key);
  if (inFlight) return inFlight;

  // Its own scopes, so that a broken module's validation error is not raised as uncaptured
  // here; getPipeline reports it when it compiles the kernel again.
  device.pushErrorScope('internal');
  device.pushErrorScope('validation');
  let started: Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } | null>;
  try {
    const layout = bindGroupLayout(device, kernel);
    started = device
      .createComputePipelineAsync(pipelineDescriptor(device, kernel, key, overrides, layout))
      .then(
        (pipeline) => ({ pipeline, layout }),
        () => null,
      );
  } catch {
    started = Promise.resolve(null);
  }
  const scopes = Promise.all([popScope(device), popScope(device)]);
  const done = Promise.all([started, scopes]).then(([compiled, [validation, internal]]) => {
    perDevice.delete(key);
    const perDeviceCache = perDeviceMap(cache, device);
    if (!compiled || validation || internal || perDeviceCache.has(key)) return;
    perDeviceCache.set(key, { ...compiled, problem: Promise.resolve(null) });
  });
  perDevice.set(key, done);
  return done;
}

/** How many pipelines `device` has compiled so far (for tests of the cache). */
export function pipelineCount(device: GPUDevice): number {
  return cache.get(device)?.size ?? 0;
}
