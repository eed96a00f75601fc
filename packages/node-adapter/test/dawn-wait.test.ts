// throttledDawnWait settles exactly as the promise it waits for, however long that takes,
// and createNodeDevice's devices read back through it correctly.
import { describe, expect, it } from 'vitest';
import { CamEngine } from '@wgcam/core';
import { referenceHeatmaps } from '@wgcam/core/reference';
import { createNodeDevice } from '../src/device.js';
import { MAX_SLEEP_MS, SPIN_MS, throttledDawnWait } from '../src/dawn-wait.js';

const after = <T>(ms: number, settle: () => T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(settle()), ms));

describe('throttledDawnWait', () => {
  it('resolves with the value of a promise already settled, one settled within SPIN_MS, and one settled long after', async () => {
    expect(await throttledDawnWait(Promise.resolve(7))).toBe(7);
    expect(await throttledDawnWait(after(0, () => 'soon'))).toBe('soon');
    expect(await throttledDawnWait(after(20 * (SPIN_MS + MAX_SLEEP_MS), () => ({ late: true })))).toEqual({ late: true });
  });

  it('rejects with the error of a promise that rejects, early or late', async () => {
    const early = new Error('early');
    await expect(throttledDawnWait(Promise.reject(early))).rejects.toBe(early);
    const late = new Error('late');
    await expect(throttledDawnWait(after(10, () => Promise.reject(late)).then((p) => p))).rejects.toBe(late);
  });

  it('a Grad-CAM heatmap read back on a createNodeDevice device matches the float64 reference', async () => {
    const node = await createNodeDevice();
    const engine = new CamEngine(node.device);
    try {
      const [h, w, c] = [7, 7, 16];
      let seed = 5;
      const random = (n: number, low: number): Float32Array =>
        Float32Array.from({ length: n }, () => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return low + ((1 - low) * seed) / 2147483648;
        });
      const options = {
        method: 'gradcam' as const,
        activations: { data: random(h * w * c, 0), shape: [1, h, w, c] },
        gradients: { data: random(h * w * c, -1), shape: [1, h, w, c] },
        size: { height: 64, width: 48 },
      };
      const result = engine.compute(options);
      const heatmap = await result.readHeatmap();
      result.release();
      const expected = referenceHeatmaps(options).heatmap;
      let worst = 0;
      expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - heatmap[i]!))));
      expect(heatmap.length).toBe(expected.length);
      expect(worst).toBeLessThan(1e-5);
    } finally {
      engine.destroy();
      node.destroy();
    }
  });
});
