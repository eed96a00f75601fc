// WebGPU's usage flags as plain numbers: the GPUBufferUsage / GPUTextureUsage globals
// exist in browsers but not in every runtime (Node with Dawn defines them only on request).
// Buffer usages and map modes are the core's; textures are the web adapter's own.
import { BufferUsage, STORAGE_USAGE } from '@wgcam/core';

export { BufferUsage, MapMode } from '@wgcam/core';

/** GPUTextureUsage values. */
export const TextureUsage = {
  COPY_SRC: 0x01,
  COPY_DST: 0x02,
  TEXTURE_BINDING: 0x04,
  RENDER_ATTACHMENT: 0x10,
} as const;

/** What TF.js needs of a buffer it wraps as a zero-copy tensor (storage, copied in and out): the engine's storage usage. */
export const TENSOR_BUFFER_USAGE = STORAGE_USAGE;

/** Small per-frame parameter blocks, rewritten with queue.writeBuffer. */
export const UNIFORM_USAGE = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
