// The two normalisation conventions against float64, the output-resolution maximum, and the
// kernel dispatches of one call (at most 4 for the Grad-CAM family, whatever is asked).
import { describe, expect, it } from 'vitest';
import { CamEngine, InvalidInputError, type ComputeOptions, type Normalization } from '../src/index.js';
import { referenceHeatmaps, referenceOverlay } from '../src/reference/index.js';
import { CASES, describeCase, makeInputs } from './cases.js';
import { expectClose, makeRng, maxByteDifference, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();
const conventions: readonly Normalization[] = ['output', 'feature'];

describe.each(conventions)("normalize: '%s' matches float64", (normalize) => {
  it.each(CASES.map((c, i) => [describeCase(c), c, i] as const))('gradcam++ %s', async (_name, testCase, index) => {
    const options: ComputeOptions = { ...makeInputs('gradcam++', testCase, 3000 + index), normalize };
    const expected = referenceHeatmaps(options).heatmap;
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(options);
      const heatmap = await result.readHeatmap();
      result.release();
      expectClose(heatmap, expected, 1e-5, `${normalize} ${describeCase(testCase)}`);
      if (normalize === 'output') {
        // Each non-constant map reaches 1 (up to the 1e-7 guard) at output resolution.
        const pixels = heatmap.length / (testCase.batch * testCase.targets);
        for (let m = 0; m < testCase.batch * testCase.targets; m++) {
          const plane = heatmap.subarray(m * pixels, (m + 1) * pixels);
          const max = Math.max(...plane);
          if (max > 0) expect(max, `map ${m} maximum`).toBeGreaterThan(1 - 1e-5);
        }
      }
    });
  });
});

describe('normalisation conventions', () => {
  it('differ on a resized map and agree at feature size', async () => {
    const resized = makeInputs('gradcam', CASES[3]!, 7); // 7×7 → 224²
    const feature = makeInputs('gradcam', CASES[4]!, 8); // kept at 7×7
    await withGpuErrorScopes(gpu.device, async () => {
      const read = async (options: ComputeOptions, normalize: Normalization): Promise<Float32Array> => {
        const result = gpu.engine.compute({ ...options, normalize });
        const heatmap = await result.readHeatmap();
        result.release();
        return heatmap;
      };
      const [out, feat] = [await read(resized, 'output'), await read(resized, 'feature')];
      expect(Math.max(...out)).toBeGreaterThan(1 - 1e-6);
      expect(Math.max(...feat)).toBeLessThan(Math.max(...out));
      expect(await read(feature, 'output')).toEqual(await read(feature, 'feature'));
    });
  });

  it('the engine option sets the default; a call can override it; unknown names are refused', async () => {
    const engine = new CamEngine(gpu.device, { normalize: 'feature' });
    const options = makeInputs('gradcam', CASES[3]!, 9);
    await withGpuErrorScopes(gpu.device, async () => {
      const byDefault = engine.compute(options);
      expectClose(await byDefault.readHeatmap(), referenceHeatmaps({ ...options, normalize: 'feature' }).heatmap, 1e-5, 'engine default feature');
      byDefault.release();
      const overridden = engine.compute({ ...options, normalize: 'output' });
      expectClose(await overridden.readHeatmap(), referenceHeatmaps(options).heatmap, 1e-5, 'call override output');
      overridden.release();
    });
    expect(() => engine.compute({ ...options, normalize: 'global' as never })).toThrow(InvalidInputError);
    expect(() => new CamEngine(gpu.device, { normalize: 'pixel' as never })).toThrow(InvalidInputError);
    engine.destroy();
  });

  it.each(conventions)("an overlay of another size than the heatmap is normalised at its own size ('%s')", async (normalize) => {
    const testCase = CASES[5]!; // 5×9×64, B=4 → heatmap 37×13
    const rng = makeRng(31);
    const image = Uint8Array.from({ length: 4 * 20 * 30 * 4 }, () => Math.floor(rng() * 256));
    const options: ComputeOptions = { ...makeInputs('xgradcam', testCase, 31), normalize, overlay: { image: { data: image, width: 30, height: 20 }, colormap: 'viridis' } };
    // The same overlay drawn over a heatmap of its own size, to take the colour bins from.
    const alone: ComputeOptions = { ...options, size: { height: 20, width: 30 } };
    await withGpuErrorScopes(gpu.device, async () => {
      const both = gpu.engine.compute(options);
      const { heatmap, overlay } = await both.read();
      both.release();
      expectClose(heatmap!, referenceHeatmaps(options).heatmap, 1e-5, 'heatmap');
      const single = gpu.engine.compute(alone);
      const own = await single.read();
      single.release();
      expectClose(own.heatmap!, referenceHeatmaps(alone).heatmap, 1e-5, 'heatmap at the overlay size');
      expect(overlay).toEqual(own.overlay);
      const dims = { batch: 4, height: 5, width: 9, channels: 64, targets: 1 };
      const { max, index } = maxByteDifference(overlay!, referenceOverlay(own.heatmap!, alone, dims, 20 * 30));
      expect(max, `byte ${index}`).toBeLessThanOrEqual(1);
    });
  });
});

describe('dispatches per call', () => {
  const image = new Uint8Array(224 * 224 * 4).fill(100);
  const requests: readonly (readonly [string, Partial<ComputeOptions>])[] = [
    ['heatmap at feature size', { size: { height: 7, width: 7 } }],
    ['heatmap 224²', {}],
    ['heatmap + overlay 224²', { overlay: { image: { data: image, width: 224, height: 224 } } }],
    ['heatmap 7×7 + overlay 224²', { size: { height: 7, width: 7 }, overlay: { image: { data: image, width: 224, height: 224 } } }],
    ['heatmap 100² + overlay 224²', { size: { height: 100, width: 100 }, overlay: { image: { data: image, width: 224, height: 224 } } }],
    ['overlay only 224²', { heatmap: false, overlay: { image: { data: image, width: 224, height: 224 } } }],
  ];
  const counts: string[] = [];
  it.each(['gradcam', 'gradcam++', 'xgradcam', 'cam'] as const)('%s: at most 4 whatever the outputs and convention', async (method) => {
    const base = makeInputs(method, CASES[3]!, 41); // 7×7×2048 → 224²
    await withGpuErrorScopes(gpu.device, async () => {
      for (const normalize of conventions) {
        for (const [name, extra] of requests) {
          const before = gpu.engine.dispatchCount();
          const result = gpu.engine.compute({ ...base, ...extra, normalize });
          const count = gpu.engine.dispatchCount() - before;
          await result.read();
          result.release();
          counts.push(`${method} ${normalize} ${name}: ${count}`);
          expect(count, `${method} ${normalize} ${name}`).toBeLessThanOrEqual(4);
        }
      }
    });
    if (method === 'cam') console.log(`dispatches per call:\n  ${counts.join('\n  ')}`);
  });
});
