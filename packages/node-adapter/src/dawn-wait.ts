// Waiting for Dawn's promises without a busy core. Dawn's Node binding learns that GPU work
// finished by polling (ProcessEvents) from a setImmediate callback that queues itself again
// for as long as any of its promises is pending: the main thread runs flat out during every
// wait. On a software adapter (SwiftShader) the GPU's work runs on worker threads of this same
// process, so that poll takes CPU time from the very work it waits for: on a 2-core machine,
// a Grad-CAM post-processing call spent about as much CPU polling as computing.

/** Waits shorter than this poll at Dawn's own pace (no sleep): a hardware GPU's are here. */
export const SPIN_MS = 0.2;
/** The longest sleep between two polls, so a long wait ends at most this much late. */
export const MAX_SLEEP_MS = 0.25;
/** The first sleep; each further one doubles, up to MAX_SLEEP_MS. */
const FIRST_SLEEP_MS = 0.02;

const cell = new Int32Array(new SharedArrayBuffer(4));

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits for `pending` (a Dawn promise, or one that settles through them) letting Dawn poll
 * once per turn of the event loop, as it does anyway, but sleeping between polls once the
 * wait has lasted SPIN_MS: the thread blocks (Atomics.wait: no CPU) for 0.02 ms, then
 * twice that, up to MAX_SLEEP_MS. The event loop is blocked while it sleeps; other Node
 * work waits at most MAX_SLEEP_MS more. Settles exactly as `pending` does.
 *
 * @example
 * setGpuWait(device, throttledDawnWait); // what createNodeDevice does
 * await gpuWait(device, buffer.mapAsync(GPUMapMode.READ));
 */
export async function throttledDawnWait<T>(pending: Promise<T>): Promise<T> {
  let settled = false;
  const done = (): void => {
    settled = true;
  };
  pending.then(done, done);
  const start = performance.now();
  let sleep = FIRST_SLEEP_MS;
  for (;;) {
    await nextTurn(); // Dawn's poll, queued with setImmediate too, runs in this turn
    if (settled) break;
    if (performance.now() - start >= SPIN_MS) {
      Atomics.wait(cell, 0, 0, sleep);
      sleep = Math.min(sleep * 2, MAX_SLEEP_MS);
    }
  }
  return pending;
}
