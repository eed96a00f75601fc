// Workgroup sizes and lanes of the reduction kernels (the `#lanes` kernels of
// @wgcam/shaders), chosen from the device's own limits and subgroup sizes instead of
// constants tuned on one adapter.

/** How the `#lanes` kernels run on one device. */
export interface LaneTuning {
  /** Invocations per workgroup: a power of two. */
  readonly workgroupSize: number;
  /** Whether the kernels reduce with subgroup shuffles (the `_subgroups` variants). */
  readonly subgroups: boolean;
  /** The most lanes one reduction group may have: the smallest subgroup size with subgroups, else 4 (TREE_LANES). */
  readonly maxLanes: number;
  /** The smallest workgroup size allowed: a whole number of the largest subgroups with subgroups, else 1. */
  readonly minWorkgroupSize: number;
}

/** Largest workgroup asked for: WebGPU's default limit, enough to keep a GPU core busy. */
const WORKGROUP_CAP = 256;
/** Bytes of workgroup memory per invocation in the fallback's scratch (one vec2f). */
const SCRATCH_BYTES = 8;
/** WGSL's bounds on subgroup sizes, used when the device does not report its own. */
const SUBGROUP_MIN = 4;
const SUBGROUP_MAX = 128;
/** Positions (or channels) each lane sums before the lanes are combined. */
export const ITEMS_PER_LANE = 4;
/** Workgroups a dispatch aims for, so that small problems still spread over every core of a large GPU. */
export const TARGET_WORKGROUPS = 256;
/**
 * Most lanes per group on the workgroup-memory path (devices without subgroups): each
 * doubling adds a barrier for the whole workgroup, and barriers cost per invocation on a
 * software GPU (SwiftShader, 7×7×2048 Grad-CAM weights: 213 ms at 16 lanes, 22 ms at 8,
 * 15 ms at 4; 2.6 ms on the subgroup path).
 */
const TREE_LANES = 4;
/** Smallest workgroup worth launching (below it, per-workgroup costs dominate). */
const WORKGROUP_FLOOR = 32;

function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, n)));
}

function ceilPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

interface SubgroupInfo {
  readonly subgroupMinSize?: number;
  readonly subgroupMaxSize?: number;
}

/**
 * The rule, from the device:
 * - workgroup size (the largest a dispatch may use; workgroupSizeFor shrinks it for small
 *   problems) = the largest power of two ≤ min(256, maxComputeInvocationsPerWorkgroup,
 *   maxComputeWorkgroupSizeX, maxComputeWorkgroupStorageSize / 8) (the fallback keeps one
 *   vec2f per invocation in workgroup memory);
 * - subgroups when the device has the `subgroups` feature, `allowSubgroups` is true and the
 *   workgroup is a whole number of the largest subgroups (so every subgroup is full); a
 *   reduction group then has at most the smallest subgroup size of lanes (from
 *   `device.adapterInfo`, else WGSL's minimum 4), so it never spans two subgroups and needs
 *   no barrier; without subgroups, at most 4 lanes (2 barrier levels).
 *
 * @example
 * const tuning = laneTuning(device, true);
 * const lanes = reductionLanesFor(49, tuning); // positions of a 7×7 map
 */
export function laneTuning(device: GPUDevice, allowSubgroups: boolean): LaneTuning {
  const limits = device.limits;
  const workgroupSize = floorPow2(
    Math.min(WORKGROUP_CAP, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX, limits.maxComputeWorkgroupStorageSize / SCRATCH_BYTES),
  );
  const info = (device as GPUDevice & { adapterInfo?: SubgroupInfo }).adapterInfo;
  const subgroupMin = info?.subgroupMinSize || SUBGROUP_MIN;
  const subgroupMax = info?.subgroupMaxSize || SUBGROUP_MAX;
  const subgroups = allowSubgroups && device.features.has('subgroups') && workgroupSize % subgroupMax === 0;
  return { workgroupSize, subgroups, maxLanes: subgroups ? floorPow2(subgroupMin) : Math.min(workgroupSize, TREE_LANES), minWorkgroupSize: subgroups ? subgroupMax : 1 };
}

/**
 * The workgroup size of one dispatch of `invocations` in groups of `lanes`: as large as
 * the tuning allows, but small enough for about TARGET_WORKGROUPS workgroups when the
 * problem is small, and never below max(32, lanes, the tuning's minimum); a power of two.
 *
 * @example
 * workgroupSizeFor(2048 * 4, 4, laneTuning(device, true)); // 32 → 256 workgroups
 */
export function workgroupSizeFor(invocations: number, lanes: number, tuning: LaneTuning): number {
  const floor = Math.min(tuning.workgroupSize, Math.max(WORKGROUP_FLOOR, lanes, tuning.minWorkgroupSize));
  return Math.max(floor, Math.min(tuning.workgroupSize, floorPow2(invocations / TARGET_WORKGROUPS)));
}

/**
 * Lanes that share one reduction of `items` terms: a power of two giving each lane about
 * ITEMS_PER_LANE terms (more lanes than that only add reduction steps), within the
 * tuning's maxLanes.
 *
 * @example
 * reductionLanesFor(49, { workgroupSize: 256, subgroups: true, maxLanes: 32, minWorkgroupSize: 32 }); // 16
 */
export function reductionLanesFor(items: number, tuning: LaneTuning): number {
  return Math.min(ceilPow2(Math.ceil(items / ITEMS_PER_LANE)), tuning.maxLanes);
}

const tunings = new WeakMap<GPUDevice, LaneTuning>();

/**
 * The tuning the engine uses on `device` (subgroups whenever the device has them),
 * computed once per device.
 *
 * @example
 * const { subgroups } = deviceLaneTuning(device);
 */
export function deviceLaneTuning(device: GPUDevice): LaneTuning {
  let tuning = tunings.get(device);
  if (!tuning) {
    tuning = laneTuning(device, true);
    tunings.set(device, tuning);
  }
  return tuning;
}
