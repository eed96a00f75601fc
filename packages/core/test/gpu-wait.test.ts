// setGpuWait: a device's readbacks go through the wait registered for it, and only then.
import { describe, expect, it } from 'vitest';
import { setGpuWait } from '../src/index.js';
import { referenceHeatmaps } from '../src/reference/index.js';
import { CASES, makeInputs } from './cases.js';
import { expectClose, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

describe('setGpuWait', () => {
  it('routes readbacks through the registered wait, and stops after null', async () => {
    const options = makeInputs('gradcam', CASES[2]!, 31); // 7×7×3 → 224²
    const expected = referenceHeatmaps(options).heatmap;
    let waits = 0;
    const counted = <T>(pending: Promise<T>): Promise<T> => {
      waits += 1;
      return pending;
    };
    await withGpuErrorScopes(gpu.device, async () => {
      setGpuWait(gpu.device, counted);
      try {
        const result = gpu.engine.compute(options);
        const heatmap = await result.readHeatmap();
        result.release();
        expect(waits).toBeGreaterThan(0);
        expectClose(heatmap, expected, 1e-5, 'heatmap read through the registered wait');
      } finally {
        setGpuWait(gpu.device, null);
      }
      const before = waits;
      const result = gpu.engine.compute(options);
      const heatmap = await result.readHeatmap();
      result.release();
      expect(waits).toBe(before);
      expectClose(heatmap, expected, 1e-5, 'heatmap read with a plain await');
    });
  });

  it('a failing wait fails the read with its error', async () => {
    const options = makeInputs('gradcam', CASES[2]!, 32);
    setGpuWait(gpu.device, async <T>(pending: Promise<T>): Promise<T> => {
      await pending;
      throw new Error('wait failed');
    });
    try {
      const result = gpu.engine.compute(options);
      await expect(result.read()).rejects.toThrow('wait failed');
      result.release();
      // The readback's staging buffers went back to the pool too.
      expect(gpu.engine.poolStats().inUse).toBe(0);
    } finally {
      setGpuWait(gpu.device, null);
    }
  });
});
