// How wgcam's post-processing grows with channels, feature size, output size and batch
// (synthetic activations, no model), and how Score-CAM grows with channels (a small CNN
// whose last layer has that many channels).
import * as tf from '@tensorflow/tfjs';
import type { FeatureShape, PixelSize } from '../baselines/feature-shape.js';
import { prepareBenchModel } from '../models/bench-model.js';
import { buildScalingCnn } from '../models/scaling-cnn.js';
import type { ScalingPlan } from '../plan.js';
import type { ScalingPoint, ScalingSeries, ScoreCamResult } from '../report/result-types.js';
import { growthPerDoubling } from '../stats/growth.js';
import { median } from '../stats/summary.js';
import { SampleSet } from '../timing/sample-set.js';
import type { BenchContext } from './context.js';
import { runWgcam, type WgcamInputs } from './post-runners.js';
import { runScoreCamCase } from './scorecam-suite.js';

const BASE: FeatureShape = { batch: 1, height: 7, width: 7, channels: 2048 };
const BASE_OUTPUT = 224;

function imageBuffer(device: GPUDevice, batch: number, size: PixelSize): GPUBuffer {
  const bytes = new Uint8Array(batch * size.height * size.width * 4).fill(128);
  const buffer = device.createBuffer({ label: 'bench scaling images', size: bytes.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, bytes);
  return buffer;
}

/** Grad-CAM post-processing time of one synthetic shape: one warm-up, then `rounds` timed runs. */
async function timePoint(ctx: BenchContext, shape: FeatureShape, output: number, rounds: number, seed: number): Promise<SampleSet> {
  const dims = [shape.batch, shape.height, shape.width, shape.channels] as [number, number, number, number];
  const activations = tf.randomUniform(dims, 0, 1, 'float32', seed) as tf.Tensor4D;
  const gradients = tf.randomUniform(dims, -1, 1, 'float32', seed + 1) as tf.Tensor4D;
  const size = { height: output, width: output };
  const image = imageBuffer(ctx.device, shape.batch, size);
  const inputs: WgcamInputs = { method: 'gradcam', shape, size, activations, gradients, targets: [], classes: 0, image: { buffer: image }, alpha: 0.5 };
  const samples = new SampleSet(ctx.timer.clock);
  await runWgcam(ctx.engine, ctx.timer, inputs);
  for (let r = 0; r < rounds; r++) samples.add((await runWgcam(ctx.engine, ctx.timer, inputs)).post);
  tf.dispose([activations, gradients]);
  image.destroy();
  return samples;
}

async function sweep(
  ctx: BenchContext,
  parameter: ScalingSeries['parameter'],
  fixed: string,
  values: readonly number[],
  point: (value: number) => { shape: FeatureShape; output: number; size: number; label: string },
  rounds: number,
): Promise<ScalingSeries> {
  const points: ScalingPoint[] = [];
  for (const value of values) {
    const { shape, output, size, label } = point(value);
    const samples = (await timePoint(ctx, shape, output, rounds, 500 + value)).samples();
    points.push({ size, label, samples });
    ctx.log(`  scaling ${parameter} ${label}: ${median(samples.ms).toFixed(2)} ms`);
  }
  return { parameter, fixed, points, growth: growthPerDoubling(points.map((p) => ({ size: p.size, ms: median(p.samples.ms) }))) };
}

/** Score-CAM's whole time on a CNN with `channels` target channels: masks, forwards, weights, final maps. */
function scoreCamTotal(result: ScoreCamResult): number {
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  return sum(result.masks.ms) + sum(result.forwards.ms) + sum(result.weights.ms) + sum(result.complete?.finish.ms ?? []);
}

/**
 * Runs every sweep of the plan.
 *
 * @example
 * const series = await runScaling(ctx, plan.scaling);
 */
export async function runScaling(ctx: BenchContext, plan: ScalingPlan): Promise<{ series: ScalingSeries[]; scoreCam: ScoreCamResult[] }> {
  const { rounds } = plan;
  const base = `${BASE.height}×${BASE.width}×${BASE.channels}, B=${BASE.batch}, output ${BASE_OUTPUT}×${BASE_OUTPUT}`;
  const series: ScalingSeries[] = [];
  series.push(
    await sweep(ctx, 'channels', `7×7×C, B=1, output ${BASE_OUTPUT}²`, plan.channels, (c) => ({ shape: { ...BASE, channels: c }, output: BASE_OUTPUT, size: c, label: `C=${c}` }), rounds),
  );
  series.push(
    await sweep(ctx, 'feature positions (h×w)', `s×s×${BASE.channels}, B=1, output ${BASE_OUTPUT}²`, plan.sides, (s) => ({ shape: { ...BASE, height: s, width: s }, output: BASE_OUTPUT, size: s * s, label: `${s}×${s}` }), rounds),
  );
  series.push(await sweep(ctx, 'output pixels', `${BASE.height}×${BASE.width}×${BASE.channels}, B=1`, plan.outputs, (o) => ({ shape: BASE, output: o, size: o * o, label: `${o}×${o}` }), rounds));
  series.push(await sweep(ctx, 'batch', base.replace('B=1, ', ''), plan.batches, (b) => ({ shape: { ...BASE, batch: b }, output: BASE_OUTPUT, size: b, label: `B=${b}` }), rounds));

  const scoreCam: ScoreCamResult[] = [];
  for (const channels of plan.scoreCamChannels) {
    const bench = prepareBenchModel(`scaling-cnn-c${channels}`, buildScalingCnn(channels));
    const result = await runScoreCamCase(ctx, bench, { model: bench.name, batch: 1, chunk: 16, chunks: 'all' });
    bench.model.dispose();
    scoreCam.push(result);
    ctx.log(`  scaling Score-CAM C=${channels}: ${scoreCamTotal(result).toFixed(1)} ms`);
  }
  const points = scoreCam
    .filter((r) => r.passed)
    .map((r): ScalingPoint => {
      const total = scoreCamTotal(r);
      return { size: r.channels, label: `C=${r.channels}`, samples: { clock: r.masks.clock, ms: [total], wallMs: [total] } };
    });
  if (points.length >= 2) {
    series.push({
      parameter: 'Score-CAM channels',
      fixed: `32×32×3 CNN, 8×8×C target layer, B=1, chunks of 16 masked inputs`,
      points,
      growth: growthPerDoubling(points.map((p) => ({ size: p.size, ms: p.samples.ms[0] as number }))),
    });
  }
  return { series, scoreCam };
}

