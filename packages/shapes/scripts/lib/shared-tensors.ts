/**
 * Float32 tensors laid out back to back in one SharedArrayBuffer, so the training threads
 * can read the same parameters and write their gradients without copying.
 */
export interface SharedTensors {
  readonly buffer: SharedArrayBuffer;
  readonly lengths: readonly number[];
}

/** Allocates zeroed shared storage for tensors of the given lengths. */
export function allocateShared(lengths: readonly number[]): SharedTensors {
  const total = lengths.reduce((a, b) => a + b, 0);
  return { buffer: new SharedArrayBuffer(total * 4), lengths };
}

/** One Float32Array view per tensor. */
export function sharedViews(shared: SharedTensors): Float32Array[] {
  const views: Float32Array[] = [];
  let offset = 0;
  for (const n of shared.lengths) {
    views.push(new Float32Array(shared.buffer, offset * 4, n));
    offset += n;
  }
  return views;
}
