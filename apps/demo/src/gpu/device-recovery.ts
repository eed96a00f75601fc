import type { FrameLoop } from '@wgcam/web-adapter';

/**
 * Stops `loop`, waiting at most `ms` for its frame in flight: work on a lost device
 * normally settles (rejects) at once, but a frame stuck there must not hold the recovery.
 * Resolves true when the loop stopped cleanly, false when the wait ran out.
 *
 * @example
 * if (!(await stopWithin(loop, 3000))) loop = new FrameLoop(render);
 */
export async function stopWithin(loop: FrameLoop, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([loop.stop().then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
