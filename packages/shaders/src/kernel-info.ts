/** How a kernel binds a buffer: the uniform parameters, a read-only or a writable storage buffer. */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

/** One storage binding of a kernel, numbered from 1 in this order (binding 0 is `params`). */
export interface KernelBinding {
  readonly name: string;
  readonly kind: BindingKind;
}

/** One field of a kernel's `Params` uniform struct; every field is a 4-byte scalar. */
export interface KernelParam {
  readonly name: string;
  readonly type: 'u32' | 'f32';
}

/** A WGSL kernel with the metadata read from its source at build time. */
export interface KernelInfo {
  readonly name: string;
  readonly source: string;
  readonly workgroupSize: number;
  readonly params: readonly KernelParam[];
  readonly bindings: readonly KernelBinding[];
  readonly overrides: readonly string[];
}
