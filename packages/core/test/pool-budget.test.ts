// The buffer pool keeps free buffers up to a byte budget, evicting the least recently
// released: images of ever new sizes cannot grow GPU memory without bound, results stay
// exact, and a steady stream of one size still allocates nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeDevice, type NodeDevice } from '@wgcam/node-adapter';
import { CamEngine } from '../src/index.js';
import { BufferPool } from '../src/gpu/buffer-pool.js';
import { CASES, makeInputs } from './cases.js';
import { withGpuErrorScopes } from './gpu-fixture.js';

let node: NodeDevice;
beforeAll(async () => {
  node = await createNodeDevice();
});
afterAll(() => node?.destroy());

const STORAGE = 0x80 | 0x08 | 0x04; // STORAGE | COPY_DST | COPY_SRC

describe('BufferPool budget', () => {
  it('evicts the least recently released free buffers past the budget, never buffers in use', () => {
    const pool = new BufferPool(node.device, 2100);
    const a = pool.acquire(1000, STORAGE, 'a'); // rounded up to 1008 bytes
    const b = pool.acquire(1000, STORAGE, 'b');
    const c = pool.acquire(1000, STORAGE, 'c');
    const d = pool.acquire(1024, STORAGE, 'd');
    expect(pool.stats().bytesHeld).toBe(4048); // buffers in use may exceed the budget
    pool.release(a);
    pool.release(b);
    expect(pool.stats()).toMatchObject({ bytesFree: 2016, evicted: 0 });
    pool.release(c); // 3024 free > 2100: a, released first, goes
    expect(pool.stats()).toMatchObject({ bytesFree: 2016, bytesHeld: 3040, evicted: 1 });
    pool.release(d); // 3040 > 2100: b goes
    expect(pool.stats()).toMatchObject({ bytesFree: 2032, bytesHeld: 2032, evicted: 2, free: 2 });
    const again = pool.acquire(1000, STORAGE, 'again');
    expect(again).toBe(c);
    pool.release(again);
    pool.destroy();
    expect(pool.stats()).toMatchObject({ bytesHeld: 0, bytesFree: 0 });
  });

  it('an engine explaining many sizes stays within its budget, with results identical to an unbounded pool', async () => {
    const budget = 4 * 1024 * 1024;
    const bounded = new CamEngine(node.device, { poolBudgetBytes: budget });
    const unbounded = new CamEngine(node.device, { poolBudgetBytes: Number.POSITIVE_INFINITY });
    const heatmap = async (engine: CamEngine, options: ReturnType<typeof makeInputs>): Promise<Float32Array> => {
      const result = engine.compute(options);
      const { heatmap: values } = await result.read();
      result.release();
      return values!;
    };
    try {
      await withGpuErrorScopes(node.device, async () => {
        for (let i = 0; i < 20; i++) {
          const testCase = CASES[i % CASES.length]!;
          const size = { height: 40 + 17 * i, width: 50 + 23 * i };
          const options = { ...makeInputs('gradcam', testCase, 100 + i), size };
          // Eviction may only change which buffers are used, never a value.
          expect(await heatmap(bounded, options), `case ${i} ${JSON.stringify(size)}`).toEqual(await heatmap(unbounded, options));
          const stats = bounded.poolStats();
          expect(stats.bytesFree).toBeLessThanOrEqual(budget);
          expect(stats.inUse).toBe(0);
        }
      });
      expect(bounded.poolStats().evicted).toBeGreaterThan(0);
      expect(unbounded.poolStats().evicted).toBe(0);
      expect(unbounded.poolStats().bytesFree).toBeGreaterThan(budget);
    } finally {
      bounded.destroy();
      unbounded.destroy();
    }
  });
});
