import { describe, expect, it } from 'vitest';
import { GpuTimer } from '../src/index.js';
import { useGpu, withErrorScopes } from './gpu.js';

const gpu = useGpu(['timestamp-query']);

describe('GpuTimer', () => {
  it('is null without the timestamp-query feature', () => {
    const device = { features: new Set<string>() } as unknown as GPUDevice;
    expect(GpuTimer.create(device, 4)).toBeNull();
  });

  it('reads monotonic stage times across separate submits', async (context) => {
    const { device } = gpu;
    const timer = GpuTimer.create(device, 3);
    if (!timer) {
      context.skip(); // this Dawn adapter has no timestamps; the browser tests cover them
      return;
    }
    try {
      await withErrorScopes(device, async () => {
        for (let frame = 0; frame < 3; frame++) {
          timer.mark(0);
          const encoder = device.createCommandEncoder();
          encoder.beginComputePass({ timestampWrites: timer.computePass(1, 2) }).end();
          device.queue.submit([encoder.finish()]);
          const times = await timer.read();
          expect(times).not.toBeNull();
          expect(times![0]).toBe(0);
          expect(times![1]).toBeGreaterThanOrEqual(0);
          expect(times![2]).toBeGreaterThanOrEqual(times![1]!);
        }
      });
      expect(() => timer.computePass(3)).toThrow(/outside 0..2/);
    } finally {
      timer.destroy();
    }
  });
});
