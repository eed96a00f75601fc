import { WebGpuUnavailableError } from './errors.js';

/** Options of createWebDevice. */
export interface WebDeviceOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Optional features to enable when the adapter has them (e.g. 'timestamp-query'); missing ones are skipped. */
  readonly optionalFeatures?: readonly GPUFeatureName[];
  /**
   * Limits to raise to the adapter's maximum. By default those TF.js's WebGPU backend
   * asks for, so a TF.js backend created on this device behaves as its own would.
   */
  readonly raiseLimits?: readonly (keyof GPUSupportedLimits)[];
  /** The WebGPU entry point; `navigator.gpu` by default (tests pass a stand-in). */
  readonly gpu?: GPU | undefined;
  /** Whether the page is a secure context; `globalThis.isSecureContext` by default. */
  readonly secureContext?: boolean;
}

/** A device with the adapter it came from. */
export interface WebDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  /** The adapter's vendor/architecture/description (for display and TF.js's WebGPUBackend). */
  readonly adapterInfo: GPUAdapterInfo;
  /** The optional features that were enabled. */
  readonly features: ReadonlySet<GPUFeatureName>;
  /** Whether the device can write GPU timestamps (the 'timestamp-query' feature). */
  readonly timestamps: boolean;
}

/** The limits TF.js 4.x's WebGPU backend raises to the adapter's maximum. */
export const TFJS_LIMITS: readonly (keyof GPUSupportedLimits)[] = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

function isSecure(options: WebDeviceOptions): boolean {
  return options.secureContext ?? (globalThis as { isSecureContext?: boolean }).isSecureContext ?? false;
}

function entryPoint(options: WebDeviceOptions): GPU | undefined {
  if ('gpu' in options) return options.gpu;
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

/**
 * Creates a GPUDevice from `navigator.gpu`, enabling the optional features the adapter
 * has and raising the limits TF.js needs. Throws WebGpuUnavailableError with an
 * actionable reason when the page cannot use WebGPU. The caller owns the device.
 *
 * @example
 * const { device, timestamps } = await createWebDevice({ optionalFeatures: ['timestamp-query'] });
 * const engine = new CamEngine(device);
 */
export async function createWebDevice(options: WebDeviceOptions = {}): Promise<WebDevice> {
  const gpu = entryPoint(options);
  if (!isSecure(options)) {
    // navigator.gpu is hidden outside secure contexts, so check this first for the real cause.
    throw new WebGpuUnavailableError(
      'insecure-context',
      'WebGPU needs a secure context: open this page over https:// or from http://localhost (not a LAN address over plain http, nor a file:// URL).',
    );
  }
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'no-webgpu',
      'This browser has no WebGPU (navigator.gpu is missing). Use a current Chrome or Edge (113+), Safari 26+ or Firefox 141+; ' +
        'on Linux, Chrome needs chrome://flags/#enable-unsafe-webgpu (and #enable-vulkan) switched on.',
    );
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  } catch (error) {
    throw new WebGpuUnavailableError('no-adapter', `navigator.gpu.requestAdapter() failed: ${(error as Error).message}`, { cause: error });
  }
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'no-adapter',
      'WebGPU is present but found no GPU adapter: the GPU or its driver may be blocklisted, or hardware acceleration is off. ' +
        "Check chrome://gpu, turn on 'Use graphics acceleration when available' in the browser settings, update the GPU driver, " +
        'or try chrome://flags/#enable-unsafe-webgpu.',
    );
  }
  const features = new Set((options.optionalFeatures ?? []).filter((f) => adapter.features.has(f)));
  const requiredLimits: Record<string, number> = {};
  for (const name of options.raiseLimits ?? TFJS_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: [...features], requiredLimits });
  } catch (error) {
    throw new WebGpuUnavailableError(
      'device-failed',
      `the GPU adapter refused to create a device (${(error as Error).message}); reload the page, and if it persists restart the browser or update the GPU driver.`,
      { cause: error },
    );
  }
  return { device, adapter, adapterInfo: adapter.info, features, timestamps: features.has('timestamp-query') };
}
