// WebGPU's usage flags as plain numbers: the GPUBufferUsage / GPUTextureUsage globals
// exist in browsers but not in every runtime (Node with Dawn defines them only on request).

/** GPUBufferUsage values. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

/** GPUTextureUsage values. */
export const TextureUsage = {
  COPY_SRC: 0x01,
  COPY_DST: 0x02,
  TEXTURE_BINDING: 0x04,
  RENDER_ATTACHMENT: 0x10,
} as const;

/** What TF.js needs of a buffer it wraps as a zero-copy tensor, plus COPY_DST for uploads. */
export const TENSOR_BUFFER_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** Small per-frame parameter blocks, rewritten with queue.writeBuffer. */
export const UNIFORM_USAGE = BufferUsage.UNIFORM | BufferUsage.COPY_DST;

/** GPUMapMode values. */
export const MapMode = { READ: 0x1 } as const;
