// Runs a benchmark plan on a device that TF.js's WebGPU backend already uses, in either
// runtime; Node and the browser page only differ in how they get the device, load the
// shapes CNN and describe their environment.
import * as tf from '@tensorflow/tfjs';
import { CamEngine } from '@wgcam/core';
import { loadBenchModel, type ShapesModelLoader } from './models/load-bench-model.js';
import type { BenchPlan } from './plan.js';
import { evaluateTargets } from './report/targets.js';
import { RESULT_SCHEMA, type BenchResults, type Environment, type ModelCaseResult, type ScalingSeries, type ScoreCamResult } from './report/result-types.js';
import type { BenchContext } from './suites/context.js';
import { runModelCase } from './suites/method-suite.js';
import { runScaling } from './suites/scaling-suite.js';
import { runScoreCamCase } from './suites/scorecam-suite.js';
import { median } from './stats/summary.js';
import { createSpanTimer } from './timing/span-timer.js';

/** What the runtime provides. */
export interface RunnerOptions {
  readonly plan: BenchPlan;
  readonly device: GPUDevice;
  /** The runtime's side of the environment; the runner adds the clock, backend and TF.js versions. */
  readonly environment: Omit<Environment, 'clock' | 'timestampQuery' | 'tfBackend' | 'emptySpanMs'>;
  readonly loadShapes: ShapesModelLoader;
  readonly log: (line: string) => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.message}${error.stack ? `\n${error.stack.split('\n').slice(1, 4).join('\n')}` : ''}` : String(error);
}

/**
 * Runs `plan`: every model case, every Score-CAM case, the scaling sweeps, then the targets.
 *
 * @example
 * const results = await runBenchmark({ plan: benchPlan('quick'), device, environment, loadShapes, log: console.log });
 */
export async function runBenchmark(options: RunnerOptions): Promise<BenchResults> {
  const { plan, device, log } = options;
  const started = Date.now();
  const engine = new CamEngine(device);
  const timer = createSpanTimer(device);
  const ctx: BenchContext = { device, engine, timer, log };
  const failures: string[] = [];
  const skipped = [...plan.skipped];
  const gpuErrors: string[] = [];
  const onError = (event: Event): void => void gpuErrors.push((event as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', onError);

  const empty: number[] = [];
  for (let i = 0; i < 10; i++) empty.push((await timer.time(() => undefined)).ms);

  const cases: ModelCaseResult[] = [];
  const scoreCam: ScoreCamResult[] = [];
  for (const modelPlan of plan.models) {
    log(`${modelPlan.model}: building`);
    const bench = await loadBenchModel(modelPlan.model, options.loadShapes).catch((error: unknown) => {
      failures.push(`${modelPlan.model}: could not be built or loaded: ${describe(error)}`);
      return null;
    });
    if (!bench) {
      if (!failures.some((f) => f.startsWith(modelPlan.model))) skipped.push(`${modelPlan.model}: the model files were not found (models/shapes-cnn/model.json)`);
      continue;
    }
    log(`${bench.name}: input ${bench.input.height}×${bench.input.width}×${bench.input.channels}, target layer '${bench.targetLayer}' ${bench.feature.height}×${bench.feature.width}×${bench.feature.channels}, ${bench.classes} classes`);
    for (const { batch, modelRounds } of modelPlan.batches) {
      try {
        const result = await runModelCase(ctx, bench, batch, plan.methods, { modelRounds, postRounds: modelPlan.postRounds });
        cases.push(result);
        for (const m of result.methods) if (!m.passed) failures.push(`${bench.name} B=${batch} ${m.method}: a baseline disagrees with wgcam (rel L2 TF.js ops ${m.agreement.tfjsOps.heatmapRelL2}, CPU ${m.agreement.cpu.heatmapRelL2}); not timed`);
      } catch (error) {
        failures.push(`${bench.name} B=${batch}: ${describe(error)}`);
      }
    }
    for (const scorePlan of plan.scoreCam.filter((s) => s.model === modelPlan.model)) {
      try {
        const result = await runScoreCamCase(ctx, bench, scorePlan);
        scoreCam.push(result);
        if (!result.passed) failures.push(`${bench.name} B=${scorePlan.batch} Score-CAM: masks or maps disagree with the baselines; not timed`);
      } catch (error) {
        failures.push(`${bench.name} B=${scorePlan.batch} Score-CAM: ${describe(error)}`);
      }
    }
    bench.model.dispose();
  }

  let scaling: ScalingSeries[] = [];
  try {
    log('scaling sweeps');
    const sweeps = await runScaling(ctx, plan.scaling);
    scaling = sweeps.series;
    for (const r of sweeps.scoreCam) if (!r.passed) failures.push(`${r.model} Score-CAM: masks or maps disagree with the baselines`);
  } catch (error) {
    failures.push(`scaling: ${describe(error)}`);
  }
  await device.queue.onSubmittedWorkDone();
  device.removeEventListener('uncapturederror', onError);
  if (gpuErrors.length > 0) failures.push(`GPU errors during the run: ${[...new Set(gpuErrors)].slice(0, 5).join(' | ')}`);
  timer.destroy();
  engine.destroy();

  return {
    schema: RESULT_SCHEMA,
    mode: plan.mode,
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    environment: {
      ...options.environment,
      timestampQuery: device.features.has('timestamp-query'),
      clock: timer.clock,
      emptySpanMs: median(empty),
      tfBackend: tf.getBackend(),
      versions: { ...options.environment.versions, tfjs: tf.version.tfjs },
    },
    cases,
    scoreCam,
    scaling,
    targets: evaluateTargets(cases, scoreCam),
    skipped,
    failures,
  };
}
