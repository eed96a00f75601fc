// How wgcam waits for a device's readbacks. A plain `await` is right in browsers; a runtime
// whose own wait is costly can register a better one per device (see setGpuWait).

/** Waits for `pending`, one of a device's promises, and returns it (settled the same way). */
export type GpuWait = <T>(pending: Promise<T>) => Promise<T>;

const waits = new WeakMap<GPUDevice, GpuWait>();

/**
 * Sets how wgcam waits for `device`'s buffer maps (null: a plain await, the default). Meant
 * for runtimes whose waiting competes with the GPU work itself: Dawn's Node binding polls
 * for finished work in a setImmediate loop, a CPU core busy for as long as any of its
 * promises is pending, which on a software adapter (SwiftShader runs the GPU's work on
 * threads of the same process) is time taken from that work. @wgcam/node-adapter
 * registers a throttled wait for the devices it creates.
 *
 * @example
 * setGpuWait(device, (pending) => pending); // what wgcam does without one
 */
export function setGpuWait(device: GPUDevice, wait: GpuWait | null): void {
  if (wait) waits.set(device, wait);
  else waits.delete(device);
}

/** `pending` waited for as setGpuWait chose for `device`. */
export function gpuWait<T>(device: GPUDevice, pending: Promise<T>): Promise<T> {
  const wait = waits.get(device);
  return wait ? wait(pending) : pending;
}
