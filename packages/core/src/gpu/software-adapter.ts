// Whether a device runs on a software adapter (a CPU emulating the GPU: SwiftShader,
// llvmpipe/lavapipe, WARP). There the invocations of one workgroup do not run side by
// side: the emulator runs one SIMD group of them at a time (its subgroup, 4 wide on
// SwiftShader) and switches between the groups at every barrier, so a kernel that loops
// over barriers pays for each extra group per barrier, while its arithmetic costs the same
// however it is split between invocations.

/** The adapter fields this reads (GPUDevice.adapterInfo; older runtimes lack it or some fields). */
interface AdapterFacts {
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
 * The width of the SIMD group a software adapter runs a workgroup's invocations in (its
 * subgroup size, else 4), or 0 on a hardware adapter or when the device says nothing
 * about its adapter.
 *
 * @example
 * softwareGroupWidth(device); // 4 on SwiftShader, 0 on a hardware GPU
 */
export function softwareGroupWidth(device: GPUDevice): number {
  const info = (device as GPUDevice & { adapterInfo?: AdapterFacts }).adapterInfo;
  if (!info) return 0;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  if (info.isFallbackAdapter !== true && !SOFTWARE_NAMES.test(text)) return 0;
  return info.subgroupMaxSize || SUBGROUP_MIN;
}
