// Every private TF.js member wgcam (core, node adapter, demo, bench) reaches into, checked on
// the installed TF.js: an upgrade that renames one fails here instead of silently giving
// wrong heatmaps. The list comes from grepping the sources for `as unknown as`, tf.engine()
// and tf.backend() casts; add a member here when code starts using one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { flushBackend, TfjsVersionError } from '@wgcam/core/tfjs';
import { loadModel, useTfjsWasm, useTfjsWebGpu } from '../src/index.js';
import { REPO_ROOT } from './fixtures.js';

const PINNED = '4.22.0';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('TF.js is pinned', () => {
  it(`every workspace asks for exactly ${PINNED}, and the lockfile installs it`, () => {
    const manifests = ['packages/core', 'packages/node-adapter', 'packages/shapes', 'apps/demo', 'bench'].map((dir) => join(REPO_ROOT, dir, 'package.json'));
    for (const path of manifests) {
      const json = JSON.parse(readFileSync(path, 'utf8')) as { dependencies?: Record<string, string> };
      for (const [name, range] of Object.entries(json.dependencies ?? {})) if (name.startsWith('@tensorflow/tfjs')) expect([path, name, range]).toEqual([path, name, PINNED]);
    }
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (/node_modules\/@tensorflow\/tfjs[a-z-]*$/.test(path)) expect([path, entry.version]).toEqual([path, PINNED]);
      for (const [name, range] of Object.entries(entry.dependencies ?? {})) if (name.startsWith('@tensorflow/tfjs') && !path.includes('@tensorflow-models')) expect([path, name, range]).toEqual([path, name, PINNED]);
    }
    expect(tf.version.tfjs).toBe(PINNED);
  });
});

describe('private TF.js members wgcam uses', () => {
  it('engine: registryFactory (renewing the webgpu backend), state.gradientDepth and state.activeTape (freeing a failed tape)', async () => {
    const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory?: unknown } | undefined>; state: { gradientDepth: number; activeTape?: unknown } };
    expect(engine.registryFactory['cpu']?.factory).toBeTypeOf('function');
    expect(engine.state.gradientDepth).toBe(0);
    let tape: unknown = null;
    tf.grad((x: tf.Tensor) => {
      tape = engine.state.activeTape;
      return x.square().sum();
    })(tf.tensor1d([1, 2]));
    expect(Array.isArray(tape)).toBe(true);
  });

  it('webgpu backend: device, commandEncoder, endComputePassEncoder, submitQueue, uploadToGPU, ensureCommandEncoderReady', async () => {
    await useTfjsWebGpu();
    const backend = tf.backend() as unknown as Record<string, unknown>;
    expect(backend['device']).toBeDefined();
    expect('commandEncoder' in backend).toBe(true);
    for (const method of ['endComputePassEncoder', 'submitQueue', 'uploadToGPU', 'ensureCommandEncoderReady']) expect([method, typeof backend[method]]).toEqual([method, 'function']);
    // Recorded work is submitted by the bridge (the encoder is cleared).
    const y = tf.add(tf.ones([64]), tf.ones([64]));
    flushBackend();
    expect(backend['commandEncoder']).toBeNull();
    y.dispose();
  });

  it('the bridge throws TfjsVersionError, not a silent skip, when a member is gone', async () => {
    await useTfjsWebGpu();
    const backend = tf.backend() as unknown as { submitQueue: unknown; ensureCommandEncoderReady(): void };
    const original = backend.submitQueue;
    const y = tf.add(tf.ones([64]), tf.ones([64]));
    backend.ensureCommandEncoderReady();
    backend.submitQueue = undefined;
    try {
      expect(() => flushBackend()).toThrow(TfjsVersionError);
    } finally {
      backend.submitQueue = original;
      flushBackend();
      y.dispose();
    }
  });

  it('wasm backend: makeOutput and typedArrayFromHeap (the MaxPoolGrad kernel)', async () => {
    await useTfjsWasm();
    const backend = tf.backend() as unknown as Record<string, unknown>;
    expect(typeof backend['makeOutput']).toBe('function');
    expect(typeof backend['typedArrayFromHeap']).toBe('function');
  });

  it('graph models keep artifacts.modelTopology.node; layers keep inboundNodes[].inputTensors', async () => {
    await tf.setBackend('cpu');
    const graph = await loadModel(join(REPO_ROOT, 'models', 'shapes-cnn-graph', 'model.json'));
    const topology = (graph as unknown as { artifacts?: { modelTopology?: { node?: unknown[] } } }).artifacts?.modelTopology;
    expect(Array.isArray(topology?.node)).toBe(true);
    const input = tf.input({ shape: [4] });
    const output = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const node = (output.sourceLayer as unknown as { inboundNodes: { inputTensors: unknown[] }[] }).inboundNodes[output.nodeIndex];
    expect(node?.inputTensors[0]).toBe(input);
  });
});
