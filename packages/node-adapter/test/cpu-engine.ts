// Test files that run models on TF.js's cpu backend share this setup: no GPUDevice to share
// with TF.js, so wgcam's engine gets a Dawn device of its own for the whole file.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { CamEngine } from '@wgcam/core';
import { createNodeDevice, type NodeDevice } from '../src/index.js';

/**
 * Registers the file's hooks: TF.js on its cpu backend, one engine on its own device,
 * destroyed after the file. Call it at the top level, before hooks that use the engine.
 *
 * @example
 * const gpu = useCpuBackendEngine();
 * it('explains', async () => { new Explainer(model, { engine: gpu.engine }); });
 */
export function useCpuBackendEngine(): { readonly engine: CamEngine } {
  let node: NodeDevice | undefined;
  let engine: CamEngine | undefined;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    node = await createNodeDevice();
    engine = new CamEngine(node.device);
  });
  afterAll(() => {
    engine?.destroy();
    node?.destroy();
  });
  return {
    get engine(): CamEngine {
      if (!engine) throw new Error('the cpu-backend engine is used before its beforeAll hook ran');
      return engine;
    },
  };
}
