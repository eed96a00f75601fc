// The steady state allocates nothing: pipelines and buffers are reused across calls.
import { describe, expect, it } from 'vitest';
import { pipelineCount } from '../src/gpu/pipeline-cache.js';
import { referenceHeatmaps, referenceOverlay } from '../src/reference/index.js';
import { makeRng } from './gpu-fixture.js';
import { CASES, makeInputs } from './cases.js';
import { maxByteDifference, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

describe('steady state', () => {
  it('repeated explanations create no new buffers or pipelines', async () => {
    const options = {
      ...makeInputs('gradcam++', CASES[3]!, 21),
      overlay: { image: { data: new Uint8Array(224 * 224 * 4).fill(128), width: 224, height: 224 }, colormap: 'jet' as const },
    };
    const once = async () => {
      const result = gpu.engine.compute(options);
      await result.read();
      result.release();
    };
    await once();
    const buffers = gpu.engine.poolStats();
    const pipelines = pipelineCount(gpu.device);
    for (let i = 0; i < 30; i++) await once();
    const after = gpu.engine.poolStats();
    expect(after.created).toBe(buffers.created);
    expect(after.bytesCreated).toBe(buffers.bytesCreated);
    expect(after.inUse).toBe(0);
    expect(pipelineCount(gpu.device)).toBe(pipelines);
  });

  it('release() returns the result buffers to the pool', async () => {
    const result = gpu.engine.compute(makeInputs('gradcam', CASES[5]!, 22));
    expect(gpu.engine.poolStats().inUse).toBeGreaterThan(0);
    result.release();
    expect(gpu.engine.poolStats().inUse).toBe(0);
    await expect(result.read()).rejects.toThrow(/released/);
  });
});

describe('overlay of a whole explanation', () => {
  it.each([
    ['one shared image', 1, 'inferno'],
    ['one image per batch entry', 4, 'inferno'],
    ['OpenCV jet', 1, 'jet-opencv'],
  ] as const)('matches the reference within 1 per channel (%s)', async (_name, images, colormap) => {
    const testCase = CASES[9]!; // 28×28×64, B=4, K=3 → 64×64
    const rng = makeRng(23);
    const image = Uint8Array.from({ length: images * 64 * 64 * 4 }, () => Math.floor(rng() * 256));
    const options = { ...makeInputs('layercam', testCase, 23), overlay: { image: { data: image, width: 64, height: 64 }, colormap, alpha: 0.6 } };
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(options);
      const { heatmap, overlay } = await result.read();
      result.release();
      // Colour bins are compared on the engine's own float heatmap, itself checked against float64 here.
      const expectedHeat = referenceHeatmaps(options).heatmap;
      let worst = 0;
      expectedHeat.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - heatmap![i]!))));
      expect(worst).toBeLessThan(1e-5);
      const expected = referenceOverlay(heatmap!, options, { batch: 4, height: 28, width: 28, channels: 64, targets: 3 }, 64 * 64);
      const { max, index } = maxByteDifference(overlay!, expected);
      expect(max, `byte ${index}`).toBeLessThanOrEqual(1);
    });
  });
});
