// One model at one batch size: an untimed warm-up pass whose activations every method
// and baseline post-processes once to check agreement, then timed rounds of wgcam, TF.js
// ops and the CPU loops for every method, with the timed model passes spread among them.
import * as tf from '@tensorflow/tfjs';
import type { BenchMethod } from '../baselines/feature-shape.js';
import type { BenchModel } from '../models/bench-model.js';
import type { MethodResult, ModelCaseResult } from '../report/result-types.js';
import { SampleSet, wallSampleSet } from '../timing/sample-set.js';
import { agreement, agrees } from './agreement.js';
import { caseResources } from './case-resources.js';
import type { BenchContext } from './context.js';
import { poolCheck } from './pool-check.js';
import { timedPass, warmupPass } from './model-pass.js';
import { runCpu, runTfjsOps, runWgcam, type PostInputs } from './post-runners.js';

/** Rounds of one case. */
export interface CaseRounds {
  readonly modelRounds: number;
  readonly postRounds: number;
}

interface MethodSamples {
  readonly wgcamPost: SampleSet;
  readonly wgcamReadback: SampleSet;
  readonly tfPost: SampleSet;
  readonly tfReadback: SampleSet;
  readonly cpuReadback: SampleSet;
  readonly cpuPost: SampleSet;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Times `bench` at `batch` for every method.
 *
 * @example
 * const result = await runModelCase(ctx, bench, 1, ['gradcam'], { modelRounds: 3, postRounds: 5 });
 */
export async function runModelCase(ctx: BenchContext, bench: BenchModel, batch: number, methods: readonly BenchMethod[], rounds: CaseRounds): Promise<ModelCaseResult> {
  const { engine, timer, log } = ctx;
  const resources = await caseResources(ctx.device, bench, batch, 1000 + batch);
  const shape = { batch, ...bench.feature };
  const size = { height: bench.input.height, width: bench.input.width };

  log(`  ${bench.name} B=${batch}: warm-up pass`);
  const warm = await warmupPass(bench, resources.input);
  try {
    const { activations, gradients, targets, targetsOneHot: oneHot } = warm;
    const inputsFor = (method: BenchMethod): PostInputs => ({
      method,
      shape,
      size,
      activations,
      ...(method === 'cam' ? { denseKernel: resources.denseKernel } : { gradients }),
      targets,
      classes: bench.classes,
      image: resources.image,
      lut: resources.lut,
      alpha: 0.5,
    });

    // The agreement check doubles as each way's warm-up (pipelines compiled, pools filled).
    const checked = new Map<BenchMethod, MethodResult>();
    for (const method of methods) {
      const inputs = inputsFor(method);
      const wg = await runWgcam(engine, timer, inputs);
      const tfjsOps = agreement(await runTfjsOps(timer, inputs), wg);
      const cpu = agreement(await runCpu(timer, inputs), wg);
      const passed = agrees(tfjsOps) && agrees(cpu);
      checked.set(method, { method, agreement: { tfjsOps, cpu }, passed });
      log(`  ${bench.name} B=${batch} ${method}: rel L2 vs TF.js ops ${tfjsOps.heatmapRelL2.toExponential(1)}, vs CPU ${cpu.heatmapRelL2.toExponential(1)}${passed ? '' : '  FAILED'}`);
    }
    const timedMethods = methods.filter((m) => checked.get(m)?.passed);
    // A second untimed round settles pools and caches at their steady state.
    for (const method of timedMethods) await runWgcam(engine, timer, inputsFor(method));
    const afterWarmup = engine.poolStats();

    log(`  ${bench.name} B=${batch}: ${rounds.modelRounds} timed model passes among ${rounds.postRounds} post-processing rounds × ${timedMethods.length} methods × 3 ways`);
    const forward = new SampleSet(timer.clock);
    const backward = new SampleSet(timer.clock);
    const samples = new Map<BenchMethod, MethodSamples>(
      timedMethods.map((m) => [
        m,
        { wgcamPost: new SampleSet(timer.clock), wgcamReadback: wallSampleSet(), tfPost: new SampleSet(timer.clock), tfReadback: wallSampleSet(), cpuReadback: wallSampleSet(), cpuPost: wallSampleSet() },
      ]),
    );
    let passes = 0;
    for (let r = 0; r < rounds.postRounds; r++) {
      // Model passes spread evenly over the rounds, so a change in machine load hits both sides.
      while (passes < Math.ceil(((r + 1) * rounds.modelRounds) / rounds.postRounds)) {
        const pass = await timedPass(timer, bench, resources.input, oneHot);
        forward.add(pass.forward);
        backward.add(pass.backward);
        tf.dispose([pass.activations, pass.gradients]);
        passes += 1;
      }
      for (const method of rotate(timedMethods, r)) {
        const s = samples.get(method) as MethodSamples;
        const inputs = inputsFor(method);
        // The order of the three ways rotates too, so none always runs on a cold cache.
        const ways = rotate(['wgcam', 'tfjs', 'cpu'] as const, r);
        for (const way of ways) {
          if (way === 'wgcam') {
            const run = await runWgcam(engine, timer, inputs);
            s.wgcamPost.add(run.post);
            s.wgcamReadback.add(run.readback);
          } else if (way === 'tfjs') {
            const run = await runTfjsOps(timer, inputs);
            s.tfPost.add(run.post);
            s.tfReadback.add(run.readback);
          } else {
            const run = await runCpu(timer, inputs);
            s.cpuPost.add(run.post);
            s.cpuReadback.add(run.readback);
          }
        }
      }
    }
    const end = engine.poolStats();

    const results = methods.map((method): MethodResult => {
      const base = checked.get(method) as MethodResult;
      const s = samples.get(method);
      if (!s) return base;
      return {
        ...base,
        times: {
          wgcam: { post: s.wgcamPost.samples(), readback: s.wgcamReadback.samples() },
          tfjsOps: { post: s.tfPost.samples(), readback: s.tfReadback.samples() },
          cpu: { readback: s.cpuReadback.samples(), post: s.cpuPost.samples() },
        },
      };
    });
    return {
      model: bench.name,
      batch,
      input: bench.input,
      feature: bench.feature,
      output: size,
      forward: forward.samples(),
      backward: backward.samples(),
      methods: results,
      pool: poolCheck(afterWarmup, end),
    };
  } finally {
    tf.dispose([warm.activations, warm.gradients, warm.targetsOneHot]);
    resources.dispose();
  }
}
