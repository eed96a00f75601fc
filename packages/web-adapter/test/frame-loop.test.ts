import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameLoop, type FrameSource } from '../src/index.js';

// Node has no animation frames: queue the callbacks and fire them by hand.
let callbacks: ((time: number) => void)[] = [];
function fireAnimationFrame(): number {
  const due = callbacks;
  callbacks = [];
  for (const callback of due) callback(performance.now());
  return due.length;
}
const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  callbacks = [];
  vi.stubGlobal('requestAnimationFrame', (callback: (time: number) => void) => callbacks.push(callback));
});
afterEach(() => vi.unstubAllGlobals());

const image = { width: 4, height: 4 } as unknown as FrameSource;

describe('FrameLoop', () => {
  it('keeps at most one frame in flight: no new frame is requested until the render settles', async () => {
    const finishers: (() => void)[] = [];
    const loop = new FrameLoop(() => new Promise<void>((resolve) => finishers.push(resolve)));
    loop.start(image);
    await flush();
    expect(fireAnimationFrame()).toBe(1);
    // The render is pending: animation frames keep coming, but the loop asked for none.
    await flush();
    expect(fireAnimationFrame()).toBe(0);
    expect(finishers).toHaveLength(1);
    finishers[0]!();
    await flush();
    expect(loop.frames).toBe(1);
    expect(fireAnimationFrame()).toBe(1);
    expect(finishers).toHaveLength(2);
    finishers[1]!();
    await loop.stop();
    await flush();
    expect(fireAnimationFrame()).toBe(0);
    expect(loop.frames).toBe(2);
    expect(loop.running).toBe(false);
  });

  it('reports a failed render and carries on with the next frame', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new FrameLoop(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('bad frame');
      },
      { onError: (e) => errors.push(e) },
    );
    loop.start(image);
    for (let i = 0; i < 3; i++) {
      await flush();
      fireAnimationFrame();
    }
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(loop.frames).toBe(calls - 1);
  });

  it('moves to a new source without running two renders at once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: unknown[] = [];
    const loop = new FrameLoop(async ({ source }) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      seen.push(source);
      await flush();
      inFlight -= 1;
    });
    const other = { width: 8, height: 8 } as unknown as FrameSource;
    loop.start(image);
    await flush();
    fireAnimationFrame();
    loop.start(other);
    for (let i = 0; i < 4; i++) {
      await flush();
      fireAnimationFrame();
    }
    await loop.stop();
    expect(most).toBe(1);
    expect(seen[0]).toBe(image);
    expect(seen.slice(1).every((s) => s === other)).toBe(true);
  });
});
