// Whichever TF.js backend runs the bundled model (webgpu on Dawn with zero copy, wasm or
// cpu with A and G uploaded once to wgcam's own device), every method's heatmap is the
// same. Score-CAM's masked inputs go GPU → CPU tensor → model on wasm and cpu.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamEngine, methodsInAll, type MethodName } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { bridgeCounters, Explainer } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL, BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { createNodeDevice, loadModel, readImage, useTfjsWasm, useTfjsWebGpu, type NodeDevice } from '../src/index.js';

// The methods 'all' runs: SS-CAM and IS-CAM (numSamples·C passes) are checked on the tiny CNN instead.
const METHOD_NAMES = methodsInAll();

const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
type Backend = (typeof BACKENDS)[number];

let node: NodeDevice;
let engine: CamEngine;
const heatmaps = new Map<Backend, Map<MethodName, Float32Array>>();
const zeroCopies = new Map<Backend, number>();

async function useBackend(backend: Backend): Promise<void> {
  if (backend === 'webgpu') await useTfjsWebGpu();
  else if (backend === 'wasm') await useTfjsWasm();
  else await tf.setBackend('cpu');
  expect(tf.getBackend()).toBe(backend);
}

beforeAll(async () => {
  node = await createNodeDevice();
  engine = new CamEngine(node.device);
  const image = await readImage(join(BUNDLED_SAMPLES, 'two-objects-1.png'));
  for (const backend of BACKENDS) {
    await useBackend(backend);
    // Loaded after the switch, so that the weights live on this backend.
    const model = await loadModel(BUNDLED_MODEL);
    const explainer = new Explainer(model, backend === 'webgpu' ? {} : { engine });
    const before = bridgeCounters.zeroCopy;
    // Class 3 (star) is not the top prediction on this image: a map that depends on the target.
    const { explanations } = await explainer.explainMany(image, { methods: METHOD_NAMES, target: 3, scoreCam: { batchSize: 16 } });
    zeroCopies.set(backend, bridgeCounters.zeroCopy - before);
    heatmaps.set(backend, new Map(explanations.map((e) => [e.method, e.items[0]!.heatmap])));
    explainer.dispose();
    model.dispose();
  }
});
afterAll(() => {
  engine.destroy();
  node.destroy();
});

describe('the same heatmaps whichever backend runs the model', () => {
  it('bridges tensors with zero copy on webgpu only', () => {
    expect(zeroCopies.get('webgpu')).toBeGreaterThan(0);
    expect(zeroCopies.get('wasm')).toBe(0);
    expect(zeroCopies.get('cpu')).toBe(0);
  });

  it.each(METHOD_NAMES)('%s: wasm and webgpu equal cpu (relative L2 < 1e-5)', (method) => {
    const reference = heatmaps.get('cpu')!.get(method)!;
    expect(reference.some((v) => v > 0)).toBe(true);
    for (const backend of ['wasm', 'webgpu'] as const) {
      const map = heatmaps.get(backend)!.get(method)!;
      expect(map.length).toBe(reference.length);
      expect(relativeL2(map, reference), `${method} on ${backend}`).toBeLessThan(1e-5);
    }
  });
});
