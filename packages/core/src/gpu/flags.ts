// WebGPU's flag values, fixed by the specification. The core uses these instead of the
// GPUBufferUsage / GPUShaderStage / GPUMapMode globals, which Node only has once an
// adapter has installed them, so the core works with a device from any source.

/** GPUBufferUsage values. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

/** GPUMapMode values. */
export const MapMode = { READ: 0x1 } as const;

export const SHADER_STAGE_COMPUTE = 0x4;

/** Usage of the engine's storage buffers: bound, copied in and read back. */
export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
