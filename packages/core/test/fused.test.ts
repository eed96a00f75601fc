// Multi-layer fusion and test-time augmentation smoothing (CamEngine.computeFused)
// against the float64 reference, over seeded random per-layer tensors of different
// feature sizes, with poisoned outputs; typed errors for bad requests.
import { describe, expect, it } from 'vitest';
import {
  fusableMethods,
  InvalidInputError,
  METHODS,
  NonFiniteInputError,
  ShapeError,
  type FuseMode,
  type FusedComputeOptions,
  type LayerTensors,
  type MethodName,
  type Size2D,
} from '../src/index.js';
import { referenceFused, referenceHeatmaps } from '../src/reference/index.js';
import { makeInputs, type TestCase } from './cases.js';
import { expectClose, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

interface LayerShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

interface FusedCase {
  readonly layers: readonly LayerShape[];
  /** Rows of the layers' batch (B·T). */
  readonly batch: number;
  readonly targets: number;
  readonly size: Size2D | undefined;
}

const FUSED_CASES: readonly FusedCase[] = [
  { layers: [{ height: 14, width: 14, channels: 32 }, { height: 7, width: 7, channels: 64 }], batch: 1, targets: 1, size: { height: 224, width: 224 } },
  { layers: [{ height: 7, width: 7, channels: 512 }, { height: 14, width: 14, channels: 3 }], batch: 2, targets: 3, size: undefined },
  { layers: [{ height: 1, width: 1, channels: 8 }, { height: 5, width: 9, channels: 20 }, { height: 3, width: 5, channels: 200 }], batch: 4, targets: 1, size: { height: 37, width: 13 } },
  { layers: [{ height: 28, width: 28, channels: 16 }, { height: 14, width: 14, channels: 40 }, { height: 7, width: 7, channels: 2048 }], batch: 1, targets: 2, size: { height: 97, width: 61 } },
  { layers: [{ height: 9, width: 2, channels: 300 }], batch: 3, targets: 2, size: { height: 11, width: 7 } },
  // Neither layer is the largest in both directions: the fused map is 5×9.
  { layers: [{ height: 5, width: 3, channels: 24 }, { height: 2, width: 9, channels: 48 }], batch: 2, targets: 1, size: undefined },
];

function describeFused(c: FusedCase): string {
  const out = c.size ? ` → ${c.size.height}×${c.size.width}` : '';
  return `${c.layers.map((l) => `${l.height}×${l.width}×${l.channels}`).join(' + ')}, B=${c.batch}, K=${c.targets}${out}`;
}

/** Seeded tensors for each layer, drawn as the single-layer tests draw them. */
function layerTensors(method: MethodName, c: FusedCase, seed: number): LayerTensors[] {
  return c.layers.map((l, i) => {
    const testCase: TestCase = { ...l, batch: c.batch, targets: c.targets, size: undefined };
    const { activations, gradients } = makeInputs(method, testCase, seed + 101 * i);
    return { activations, ...(gradients ? { gradients } : {}) };
  });
}

async function fusedHeatmap(options: FusedComputeOptions): Promise<Float32Array> {
  return withGpuErrorScopes(gpu.device, async () => {
    const result = gpu.engine.computeFused(options);
    try {
      return await result.readHeatmap();
    } finally {
      result.release();
    }
  });
}

const METHODS_TESTED: readonly MethodName[] = ['gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam', 'gradcamelementwise', 'eigencam', 'eigengradcam'];
const MODES: readonly FuseMode[] = ['mean', 'max'];

describe('multi-layer fusion matches float64', () => {
  for (const mode of MODES) {
    it.each(FUSED_CASES.map((c, i) => [describeFused(c), c, i] as const))(`gradcam ${mode}: %s`, async (_name, c, index) => {
      const options: FusedComputeOptions = { method: 'gradcam', layers: layerTensors('gradcam', c, 500 + index), fuse: mode, ...(c.size ? { size: c.size } : {}) };
      const expected = referenceFused(options);
      const heatmap = await fusedHeatmap(options);
      expectClose(heatmap, expected.heatmap, 1e-5, `${mode} ${describeFused(c)}`);
      // Without a size: the largest feature height and width, each on its own (torch-cam's default).
      const size = c.size ?? { height: Math.max(...c.layers.map((l) => l.height)), width: Math.max(...c.layers.map((l) => l.width)) };
      expect(heatmap.length).toBe(c.batch * c.targets * size.height * size.width);
    });
  }

  it.each(METHODS_TESTED)('%s over three layers of different sizes (mean and max)', async (method) => {
    const c = FUSED_CASES[2]!;
    for (const mode of MODES) {
      const options: FusedComputeOptions = { method, layers: layerTensors(method, c, 900), fuse: mode, size: { height: 20, width: 30 } };
      expectClose(await fusedHeatmap(options), referenceFused(options).heatmap, 1e-5, `${method} ${mode}`);
    }
  });

  it('mean and max differ, and each fused map reaches 1', async () => {
    const c = FUSED_CASES[0]!;
    const layers = layerTensors('gradcam', c, 77);
    const mean = await fusedHeatmap({ method: 'gradcam', layers, fuse: 'mean', size: { height: 28, width: 28 } });
    const max = await fusedHeatmap({ method: 'gradcam', layers, fuse: 'max', size: { height: 28, width: 28 } });
    expect(Math.max(...mean)).toBeGreaterThan(1 - 1e-5);
    expect(Math.max(...max)).toBeGreaterThan(1 - 1e-5);
    let differs = 0;
    for (let i = 0; i < mean.length; i++) if (Math.abs(mean[i]! - max[i]!) > 1e-3) differs++;
    expect(differs).toBeGreaterThan(mean.length / 10);
  });

  it('one layer equals the ordinary single-layer explanation (output normalisation)', async () => {
    const c = FUSED_CASES[1]!;
    const [layer] = layerTensors('gradcam++', { ...c, layers: [c.layers[0]!] }, 33);
    const size = { height: 50, width: 45 };
    const single = referenceHeatmaps({ method: 'gradcam++', activations: layer!.activations, gradients: layer!.gradients!, size }).heatmap;
    expectClose(await fusedHeatmap({ method: 'gradcam++', layers: [layer!], size }), single, 1e-5, 'one layer vs compute');
  });

  it('all-zero layers give zeros, never NaN; a NaN activation is refused naming the activations', async () => {
    const c = FUSED_CASES[0]!;
    const layers = layerTensors('gradcam', c, 5).map((l) => ({ ...l, activations: { ...l.activations, data: new Float32Array((l.activations.data as Float32Array).length) } }));
    const zeros = await fusedHeatmap({ method: 'gradcam', layers, size: { height: 9, width: 9 } });
    expect(zeros.every((v) => v === 0)).toBe(true);
    const corrupt = layerTensors('gradcam', c, 6);
    const second = corrupt[1]!;
    const data = (second.activations.data as Float32Array).slice();
    data[17] = Number.NaN;
    corrupt[1] = { ...second, activations: { ...second.activations, data } };
    const error = await fusedHeatmap({ method: 'gradcam', layers: corrupt }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain('activations');
  });
});

// pytorch-grad-cam's augmentations: horizontal flip × brightness factors 0.9, 1, 1.1, in ttach's order.
const TTA_FLIPS = [false, false, false, true, true, true];

describe('test-time augmentation smoothing matches float64', () => {
  const cases: readonly FusedCase[] = [
    { layers: [{ height: 7, width: 7, channels: 64 }], batch: 6, targets: 1, size: { height: 32, width: 32 } },
    { layers: [{ height: 5, width: 9, channels: 20 }], batch: 12, targets: 3, size: { height: 37, width: 13 } },
    { layers: [{ height: 14, width: 14, channels: 16 }, { height: 7, width: 7, channels: 300 }], batch: 12, targets: 2, size: undefined },
    { layers: [{ height: 1, width: 1, channels: 4 }, { height: 3, width: 5, channels: 8 }], batch: 6, targets: 1, size: { height: 5, width: 8 } },
  ];
  it.each(cases.map((c, i) => [describeFused(c), c, i] as const))('gradcam, T=6: %s', async (_name, c, index) => {
    const options: FusedComputeOptions = { method: 'gradcam', layers: layerTensors('gradcam', c, 700 + index), augment: { flips: TTA_FLIPS }, ...(c.size ? { size: c.size } : {}) };
    const expected = referenceFused(options);
    const heatmap = await fusedHeatmap(options);
    expectClose(heatmap, expected.heatmap, 1e-5, describeFused(c));
    expect(heatmap.length).toBe((c.batch / 6) * c.targets * expected.size.height * expected.size.width);
  });

  it.each(['layercam', 'eigencam', 'hirescam'] as const)('%s with two flips over two layers', async (method) => {
    const c: FusedCase = { layers: [{ height: 6, width: 6, channels: 40 }, { height: 4, width: 3, channels: 200 }], batch: 4, targets: 1, size: { height: 13, width: 17 } };
    const options: FusedComputeOptions = { method, layers: layerTensors(method, c, 801), fuse: 'max', augment: { flips: [false, true] }, size: c.size! };
    expectClose(await fusedHeatmap(options), referenceFused(options).heatmap, 1e-5, method);
  });

  it('de-augmentation: a flipped copy of the same tensors averages to the unflipped map', async () => {
    // Copy 1 holds copy 0's tensors mirrored left-right: flipping its map back reproduces copy 0's.
    const c: FusedCase = { layers: [{ height: 5, width: 8, channels: 12 }], batch: 1, targets: 1, size: { height: 5, width: 8 } };
    const [layer] = layerTensors('layercam', c, 44);
    const mirror = (source: Float32Array): Float32Array => {
      const out = new Float32Array(source.length * 2);
      out.set(source);
      for (let y = 0; y < 5; y++) for (let x = 0; x < 8; x++) for (let ch = 0; ch < 12; ch++) out[source.length + (y * 8 + (7 - x)) * 12 + ch] = source[(y * 8 + x) * 12 + ch]!;
      return out;
    };
    const doubled: LayerTensors = {
      activations: { data: mirror(layer!.activations.data as Float32Array), shape: [2, 5, 8, 12] },
      gradients: { data: mirror(layer!.gradients!.data as Float32Array), shape: [2, 5, 8, 12] },
    };
    const smoothed = await fusedHeatmap({ method: 'layercam', layers: [doubled], augment: { flips: [false, true] }, size: c.size! });
    const plain = await fusedHeatmap({ method: 'layercam', layers: [layer!], size: c.size! });
    expectClose(smoothed, plain, 1e-6, 'flipped back');
  });
});

describe('bad fused requests are refused with typed errors', () => {
  const c = FUSED_CASES[0]!;
  const layers = layerTensors('gradcam', c, 1);
  const cases: [string, () => FusedComputeOptions, new (...args: never[]) => Error][] = [
    ['an empty layer list', () => ({ method: 'gradcam', layers: [] }), InvalidInputError],
    ['an unknown fuse mode', () => ({ method: 'gradcam', layers, fuse: 'median' as never }), InvalidInputError],
    ['a score method', () => ({ method: 'scorecam', layers }), InvalidInputError],
    ['CAM (dense kernel)', () => ({ method: 'cam', layers }), InvalidInputError],
    ['Smooth Grad-CAM++ (gradients of noisy input copies)', () => ({ method: 'smoothgradcampp', layers }), InvalidInputError],
    ['layers from different batches', () => ({ method: 'gradcam', layers: [layers[0]!, layerTensors('gradcam', { ...c, batch: 2 }, 2)[1]!] }), InvalidInputError],
    ['a batch the augmentations do not divide', () => ({ method: 'gradcam', layers, augment: { flips: [false, true] } }), InvalidInputError],
    ['no augmentations', () => ({ method: 'gradcam', layers, augment: { flips: [] } }), InvalidInputError],
    ['missing gradients', () => ({ method: 'gradcam', layers: [{ activations: layers[0]!.activations }] }), InvalidInputError],
    ['gradients of another layer', () => ({ method: 'gradcam', layers: [{ activations: layers[0]!.activations, gradients: layers[1]!.gradients! }] }), ShapeError],
    ['eigenSmooth, which fusion does not combine (a JavaScript caller’s option)', () => ({ method: 'gradcam', layers, eigenSmooth: true }) as FusedComputeOptions, InvalidInputError],
    ['eigenSmooth with augmentation', () => ({ method: 'layercam', layers, augment: { flips: [false] }, eigenSmooth: true }) as FusedComputeOptions, InvalidInputError],
  ];
  it.each(cases)('%s', (_name, make, type) => {
    expect(() => gpu.engine.computeFused(make())).toThrow(type);
  });

  it("the method table says which methods fuse: those reading one layer's A and G alone", () => {
    expect(fusableMethods()).toEqual(['gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam', 'gradcamelementwise', 'eigencam', 'eigengradcam']);
    for (const m of fusableMethods()) expect(METHODS[m].layers).toBe('several');
  });
});
