import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { setGpuWait } from '@wgcam/core';
import { NoGpuAdapterError } from './errors.js';
import { throttledDawnWait } from './dawn-wait.js';
import { watchDevice } from './gpu-guard.js';
import { probeHardwareQuietly, type HardwareProbe } from './adapter-probe.js';

/** SwiftShader's Vulkan driver as Debian's chromium package ships it. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What kind of adapter a NodeDevice runs on. */
export type AdapterKind = 'hardware' | 'software';

/** A description of the adapter in use, for logs and `wgcam devices`. */
export interface NodeAdapterReport {
  readonly kind: AdapterKind;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly features: readonly string[];
}

/** A Dawn device and the adapter it came from; `destroy()` releases both. */
export interface NodeDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly report: NodeAdapterReport;
  destroy(): void;
}

/** Options of createNodeDevice. */
export interface NodeDeviceOptions {
  /** 'auto' (default): hardware when Dawn finds one, else SwiftShader. 'software' forces SwiftShader. */
  readonly prefer?: 'auto' | 'software';
  readonly powerPreference?: GPUPowerPreference;
  /** Optional features to enable when the adapter has them. */
  readonly features?: readonly GPUFeatureName[];
  /**
   * Enable the `subgroups` feature when the adapter has it (default true): wgcam's reduction
   * kernels then combine lanes with subgroup shuffles instead of workgroup memory and
   * barriers. false gives a device without it (the engine uses its workgroup-memory path).
   */
  readonly subgroups?: boolean;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: DawnModule | null = null;

function loadDawn(): DawnModule {
  if (dawn) return dawn;
  const require = createRequire(import.meta.url);
  try {
    dawn = require('webgpu') as DawnModule;
  } catch (error) {
    throw new NoGpuAdapterError(
      `could not load Dawn (npm package 'webgpu'): ${(error as Error).message}. Run \`npm ci\` in the wgcam checkout.`,
      { cause: error },
    );
  }
  // WebGPU's constant namespaces (GPUBufferUsage, ...) are globals in browsers; make them so here.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  }
  return dawn;
}

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** Whether any Vulkan driver other than Mesa's lavapipe (which Dawn refuses) is installed. */
function hardwareDriverListed(): boolean {
  if (process.env['VK_ICD_FILENAMES'] || process.env['VK_DRIVER_FILES']) return true;
  return ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json') && !f.startsWith('lvp')));
}

function libvulkanPresent(): boolean {
  return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'].some(existsSync);
}

function isSoftware(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return text.includes('swiftshader') || text.includes('llvmpipe') || text.includes('lavapipe') || text.includes('cpu');
}

/**
 * Whether an adapter is a hardware GPU or a software rasteriser (SwiftShader, llvmpipe).
 *
 * @example
 * const { adapter } = await createNodeGpu();
 * if (adapterKind(adapter.info) === 'software') console.log('no GPU: the model runs on TF.js wasm');
 */
export function adapterKind(info: GPUAdapterInfo): AdapterKind {
  return isSoftware(info) ? 'software' : 'hardware';
}

// Dawn aborts at exit if a GPU instance is collected while its devices live, so every
// instance stays referenced for the life of the process.
const liveInstances = new Set<GPU>();

async function requestAdapter(module: DawnModule, options: NodeDeviceOptions): Promise<NodeGpu | null> {
  const gpu = module.create([]);
  const request: GPURequestAdapterOptions = options.powerPreference ? { powerPreference: options.powerPreference } : {};
  const adapter = await gpu.requestAdapter(request);
  if (!adapter) return null;
  liveInstances.add(gpu);
  return { gpu, adapter };
}

function quietVulkanLoader(): void {
  // Vulkan drivers complain on stderr when XDG_RUNTIME_DIR is unset, which it is in CI.
  if (!process.env['XDG_RUNTIME_DIR']) {
    const dir = join(tmpdir(), `wgcam-runtime-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env['XDG_RUNTIME_DIR'] = dir;
  }
}

let hardwareProbe: Promise<HardwareProbe> | null = null;
/** The child-process hardware probe, run once per process. */
function quietProbe(): Promise<HardwareProbe> {
  hardwareProbe ??= probeHardwareQuietly();
  return hardwareProbe;
}

/** A Dawn GPU object whose adapter request succeeds, hardware first, else SwiftShader. */
export interface NodeGpu {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
}

/**
 * Picks Dawn's GPU object the same way createNodeDevice does, for code (like TF.js's
 * webgpu backend) that wants `navigator.gpu` rather than a device.
 *
 * @example
 * const { gpu } = await createNodeGpu();
 * globalThis.navigator = { gpu };
 */
export async function createNodeGpu(options: NodeDeviceOptions = {}): Promise<NodeGpu> {
  const module = loadDawn();
  quietVulkanLoader();
  const missingVulkan = !libvulkanPresent();
  let found: NodeGpu | null = null;
  if (options.prefer !== 'software' && !missingVulkan && hardwareDriverListed()) {
    // Drivers the user chose are asked directly; the system's are probed in a child process
    // first, so that a machine without a GPU never sees their warnings (Dawn prints them from native code).
    const chosen = Boolean(process.env['VK_ICD_FILENAMES'] || process.env['VK_DRIVER_FILES']);
    if (chosen || (await quietProbe()).hardware !== null) found = await requestAdapter(module, options);
  }
  if (!found) {
    if (missingVulkan) {
      throw new NoGpuAdapterError(
        'no WebGPU adapter: the Vulkan loader (libvulkan.so.1) is missing. Install it with `sudo apt-get install -y libvulkan1` ' +
          '(and `chromium` for the SwiftShader software driver on machines without a GPU).',
      );
    }
    if (!existsSync(SWIFTSHADER_ICD)) {
      throw new NoGpuAdapterError(
        `no hardware WebGPU adapter, and the SwiftShader fallback (${SWIFTSHADER_ICD}) is missing. ` +
          "Install it with `sudo apt-get install -y chromium`, or install your GPU vendor's Vulkan driver.",
      );
    }
    process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
    found = await requestAdapter(module, options);
    if (!found) {
      throw new NoGpuAdapterError(
        `Dawn found no adapter even with SwiftShader (${SWIFTSHADER_ICD}). Reinstall it with ` +
          '`sudo apt-get install --reinstall -y chromium libvulkan1`.',
      );
    }
  }
  return found;
}

/**
 * Opens a WebGPU device in Node with Dawn: a hardware adapter when there is one, else
 * SwiftShader (Vulkan on the CPU) from Debian's chromium package.
 *
 * @example
 * const { device, report, destroy } = await createNodeDevice();
 * console.log(`${report.kind} adapter: ${report.description}`);
 * // ... use device ...
 * destroy();
 */
export async function createNodeDevice(options: NodeDeviceOptions = {}): Promise<NodeDevice> {
  const { adapter } = await createNodeGpu(options);
  // 'subgroups' is not in every GPUFeatureName typing yet, hence strings.
  const wanted: string[] = [...(options.features ?? []), ...(options.subgroups === false ? [] : ['subgroups'])];
  const features = [...new Set(wanted)].filter((f) => adapter.features.has(f) && (f !== 'subgroups' || options.subgroups !== false)) as GPUFeatureName[];
  const device = await adapter.requestDevice({
    label: 'wgcam node device',
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
    },
  });
  // Its GPU errors become typed errors of the call that caused them, never lines on stdout.
  watchDevice(device);
  // wgcam's readbacks wait without Dawn's busy poll taking a core from the GPU's work.
  setGpuWait(device, throttledDawnWait);
  const info = adapter.info;
  const report: NodeAdapterReport = {
    kind: adapterKind(info),
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    features: [...adapter.features].sort(),
  };
  return { device, adapter, report, destroy: () => device.destroy() };
}
