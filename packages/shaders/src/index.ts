/**
 * The WGSL kernels of wgcam, one per file under src/kernels, each with its formula in a
 * header comment, and the metadata the engine binds them with.
 *
 * @example
 * import { KERNELS } from '@wgcam/shaders';
 * const module = device.createShaderModule({ label: 'gradcam_weights', code: KERNELS.gradcam_weights.source });
 */
import { KERNEL_SOURCES } from './generated/kernels.js';

export type { BindingKind, KernelBinding, KernelInfo, KernelParam } from './kernel-info.js';

/** Every kernel by name. */
export const KERNELS = KERNEL_SOURCES;

/** The name of one kernel. */
export type KernelName = keyof typeof KERNEL_SOURCES;
