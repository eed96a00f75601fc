// Whether a device runs on a software adapter (a CPU emulating the GPU: SwiftShader,
// llvmpipe/lavapipe, WARP). There the invocations of one workgroup do not run side by
// side: the emulator runs one SIMD group of them at a time (its subgroup, 4 wide on
// SwiftShader) and switches between the groups at every barrier, so a kernel that loops
// over barriers pays for each extra group per barrier, while its arithmetic costs the same
// however it is split between invocations.

/** The adapter fields this reads (GPUDevice.adapterInfo; older runtimes lack it or some fields). */
export interface AdapterFacts {
  readonly isFallbackAdapter?: boolean;
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly subgroupMaxSize?: number;
}

/** Names software rasterisers give themselves, for runtimes that do not report isFallbackAdapter. */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/;

/** WGSL's smallest subgroup size, used when the device does not report its own. */
const SUBGROUP_MIN = 4;

/**
 * Whether adapter info describes a software adapter: `isFallbackAdapter` where the runtime
 * reports it (or `adapterFallback`, the adapter's own flag in older browsers), else the names
 * software rasterisers give themselves.
 *
 * @example
 * isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device' }); // true
 */
export function isSoftwareAdapter(info: AdapterFacts, adapterFallback = false): boolean {
  if (info.isFallbackAdapter === true || adapterFallback) return true;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  return SOFTWARE_NAMES.test(text);
}

/**
 * The width of the SIMD group a software adapter runs a workgroup's invocations in (its
 * subgroup size, else 4), or 0 on a hardware adapter or when the device says nothing
 * about its adapter. Computed once per device.
 *
 * @example
 * softwareGroupWidth(device); // 4 on SwiftShader, 0 on a hardware GPU
 */
export function softwareGroupWidth(device: GPUDevice): number {
  let width = groupWidths.get(device);
  if (width === undefined) {
    const info = (device as GPUDevice & { adapterInfo?: AdapterFacts }).adapterInfo;
    width = info && isSoftwareAdapter(info) ? info.subgroupMaxSize || SUBGROUP_MIN : 0;
    groupWidths.set(device, width);
  }
  return width;
}

/** softwareGroupWidth per device, found once: a device's adapter never changes, and stages ask on every dispatch. */
const groupWidths = new WeakMap<GPUDevice, number>();
