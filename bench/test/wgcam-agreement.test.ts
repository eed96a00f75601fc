// On the GPU: wgcam and the three baselines agree on a small case, and the Score-CAM suite
// checks itself, on one Dawn device shared by TF.js and the engine.
import * as tf from '@tensorflow/tfjs';
import { CamEngine } from '@wgcam/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBenchModel } from '../src/models/bench-model.js';
import { buildScalingCnn } from '../src/models/scaling-cnn.js';
import { openNodeGpu, type NodeGpu } from '../src/node/node-gpu.js';
import { agreement } from '../src/suites/agreement.js';
import { caseResources } from '../src/suites/case-resources.js';
import type { BenchContext } from '../src/suites/context.js';
import { runModelCase } from '../src/suites/method-suite.js';
import { runCpu, runTfjsOps, runWgcam, type PostInputs } from '../src/suites/post-runners.js';
import { runScoreCamCase } from '../src/suites/scorecam-suite.js';
import { createSpanTimer } from '../src/timing/span-timer.js';

let gpu: NodeGpu;
let ctx: BenchContext;

beforeAll(async () => {
  gpu = await openNodeGpu();
  ctx = { device: gpu.device, engine: new CamEngine(gpu.device), timer: createSpanTimer(gpu.device), log: () => undefined };
});

afterAll(() => {
  ctx?.timer.destroy();
  ctx?.engine.destroy();
});

describe('wgcam and the baselines on one shared device', () => {
  it('agree within 1e-4 on Grad-CAM++ and CAM', async () => {
    const bench = prepareBenchModel('scaling-cnn-c16', buildScalingCnn(16));
    const resources = await caseResources(gpu.device, bench, 2, 5);
    const shape = { batch: 2, ...bench.feature };
    const A = tf.randomUniform([2, 8, 8, 16], 0, 2, 'float32', 1) as tf.Tensor4D;
    const G = tf.randomUniform([2, 8, 8, 16], -1, 1, 'float32', 2) as tf.Tensor4D;
    for (const method of ['gradcam++', 'cam'] as const) {
      const inputs: PostInputs = {
        method,
        shape,
        size: { height: 32, width: 32 },
        activations: A,
        ...(method === 'cam' ? { denseKernel: resources.denseKernel } : { gradients: G }),
        targets: [3, 7],
        classes: bench.classes,
        image: resources.image,
        lut: resources.lut,
        alpha: 0.5,
      };
      const wg = await runWgcam(ctx.engine, ctx.timer, inputs);
      expect(wg.heatmap.some((v) => v > 0)).toBe(true);
      expect(agreement(await runTfjsOps(ctx.timer, inputs), wg).heatmapRelL2).toBeLessThan(1e-4);
      expect(agreement(await runCpu(ctx.timer, inputs), wg).heatmapRelL2).toBeLessThan(1e-4);
    }
    tf.dispose([A, G]);
    resources.dispose();
    bench.model.dispose();
  });

  it('times a model case with flat pool counters', async () => {
    const bench = prepareBenchModel('scaling-cnn-c8', buildScalingCnn(8));
    const result = await runModelCase(ctx, bench, 2, ['gradcam', 'layercam'], { modelRounds: 1, postRounds: 2 });
    expect(result.methods.every((m) => m.passed && m.times?.wgcam.post.ms.length === 2)).toBe(true);
    expect(result.forward.ms).toHaveLength(1);
    expect(result.pool.flat).toBe(true);
    bench.model.dispose();
  });

  it('checks and times a whole Score-CAM run', async () => {
    const bench = prepareBenchModel('scaling-cnn-c8', buildScalingCnn(8));
    const result = await runScoreCamCase(ctx, bench, { model: bench.name, batch: 2, chunk: 5, chunks: 'all' });
    expect(result.passed).toBe(true);
    expect(result.maskRelL2).toBeLessThan(1e-4);
    expect(result.pairsTimed).toBe(16);
    expect(result.masks.ms).toHaveLength(4);
    expect(result.complete?.agreement.tfjsOps.heatmapRelL2).toBeLessThan(1e-4);
    expect(result.pool.flat).toBe(true);
    bench.model.dispose();
  });
});
