// Score-CAM on one model: wgcam's mask kernel writes each chunk of masked inputs straight
// into a buffer TF.js runs the model on; the logits become channel weights on the GPU.
// Timed per chunk against the masked forward passes and against masking as a loop of
// TF.js ops (baseline 3). With every pair scored, the final maps are checked against the
// TF.js-ops and CPU post-processing fed the same weights.
import * as tf from '@tensorflow/tfjs';
import type { OverlayOptions, ScoreCamSession } from '@wgcam/core';
import { constantChannels, scoreCamWeights, tfjsMasks } from '../baselines/tfjs-masks.js';
import { submitTfWork, tensorBuffer } from '../gpu/tf-queue.js';
import type { BenchModel } from '../models/bench-model.js';
import type { ScoreCamPlan } from '../plan.js';
import type { Agreement, ScoreCamResult } from '../report/result-types.js';
import { relativeL2 } from '@wgcam/core/reference';
import { SampleSet, wallSampleSet } from '../timing/sample-set.js';
import type { SpanTimer } from '../timing/span-timer.js';
import { agreement, agrees, HEATMAP_TOLERANCE } from './agreement.js';
import { caseResources, type CaseResources } from './case-resources.js';
import type { BenchContext } from './context.js';
import { warmupPass } from './model-pass.js';
import { poolCheck } from './pool-check.js';
import { runCpu, runTfjsOps, type PostInputs } from './post-runners.js';

interface Chunk {
  readonly first: number;
  readonly count: number;
}

function chunksOf(pairs: number, size: number, limit: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let first = 0; first < pairs && chunks.length < limit; first += size) chunks.push({ first, count: Math.min(size, pairs - first) });
  return chunks;
}

/** The model on a chunk of masked inputs that live in `buffer`; returns the logits [count, classes]. */
function forwardMasked(bench: BenchModel, buffer: GPUBuffer, count: number): tf.Tensor2D {
  const { height, width, channels } = bench.input;
  return tf.tidy(() => {
    const masked = tf.tensor({ buffer, zeroCopy: true }, [count, height, width, channels], 'float32') as tf.Tensor4D;
    return bench.split.head(bench.split.features(masked));
  });
}

function addScores(session: ScoreCamSession, chunk: Chunk, logits: tf.Tensor2D): void {
  const data = tensorBuffer(logits);
  session.addScores(chunk.first, chunk.count, { data: data.buffer, shape: logits.shape });
  data.release();
}

/** Everything one Score-CAM case works on. */
interface Fixture {
  readonly bench: BenchModel;
  readonly batch: number;
  readonly size: { readonly height: number; readonly width: number };
  readonly activations: tf.Tensor4D;
  readonly targets: readonly number[];
  readonly resources: CaseResources;
  readonly chunks: readonly Chunk[];
  /** Where wgcam writes a chunk of masked inputs and TF.js reads them (zero copy). */
  readonly maskBuffer: GPUBuffer;
  readonly openSession: () => ScoreCamSession;
  readonly overlay: OverlayOptions;
}

/** Relative L2 of wgcam's masks of one chunk against baseline 3's. */
async function maskAgreement(f: Fixture, session: ScoreCamSession, chunk: Chunk): Promise<number> {
  const { height, width, channels } = f.bench.input;
  session.writeMasks(chunk.first, chunk.count, f.maskBuffer);
  const ours = tf.tensor({ buffer: f.maskBuffer, zeroCopy: true }, [chunk.count, height, width, channels], 'float32');
  const theirs = tf.tidy(() => tfjsMasks(f.activations, f.resources.input, chunk.first, chunk.count));
  const expected = await theirs.data();
  // Reading a zero-copy tensor returns its whole buffer, which may hold more than this chunk.
  const error = relativeL2((await ours.data()).subarray(0, expected.length), expected);
  tf.dispose([ours, theirs]);
  return error;
}

/** Scores every pair, finishes, and compares the maps with baselines 1 and 2 fed the weights from the same logits. */
async function mapAgreement(f: Fixture, session: ScoreCamSession, timer: SpanTimer): Promise<{ tfjsOps: Agreement; cpu: Agreement }> {
  const logits = new Float32Array(f.batch * f.bench.feature.channels * f.bench.classes);
  for (const chunk of f.chunks) {
    session.writeMasks(chunk.first, chunk.count, f.maskBuffer);
    const scores = forwardMasked(f.bench, f.maskBuffer, chunk.count);
    addScores(session, chunk, scores);
    logits.set(await scores.data(), chunk.first * f.bench.classes);
    scores.dispose();
  }
  const result = session.finish({ size: f.size, overlay: f.overlay });
  const { heatmap, overlay } = await result.read();
  result.release();
  const channels = f.bench.feature.channels;
  const weights = scoreCamWeights(logits, f.bench.classes, channels, f.targets, await constantChannels(f.activations, f.size));
  const weightTensor = tf.tensor2d(weights, [f.batch, channels]);
  const inputs: PostInputs = {
    method: 'scorecam',
    shape: { batch: f.batch, ...f.bench.feature },
    size: f.size,
    activations: f.activations,
    scoreWeights: { tensor: weightTensor, values: weights },
    targets: f.targets,
    classes: f.bench.classes,
    image: f.resources.image,
    lut: f.resources.lut,
    alpha: 0.5,
  };
  const ours = { heatmap: heatmap as Float32Array, overlay: overlay as Uint8Array };
  const checked = { tfjsOps: agreement(await runTfjsOps(timer, inputs), ours), cpu: agreement(await runCpu(timer, inputs), ours) };
  weightTensor.dispose();
  return checked;
}

/** Per-chunk spans of a timed session, and the final maps when every pair is scored. */
interface ChunkTimes {
  readonly masks: SampleSet;
  readonly forwards: SampleSet;
  readonly weights: SampleSet;
  readonly tfjsMasks: SampleSet;
  readonly finish: SampleSet;
  readonly readback: SampleSet;
}

async function timeChunks(f: Fixture, timer: SpanTimer, complete: boolean): Promise<ChunkTimes> {
  const times: ChunkTimes = {
    masks: new SampleSet(timer.clock),
    forwards: new SampleSet(timer.clock),
    weights: new SampleSet(timer.clock),
    tfjsMasks: new SampleSet(timer.clock),
    finish: new SampleSet(timer.clock),
    readback: wallSampleSet(),
  };
  const session = f.openSession();
  for (const chunk of f.chunks) {
    times.masks.add(await timer.time(() => session.writeMasks(chunk.first, chunk.count, f.maskBuffer)));
    const forward = await timer.time(() => {
      const logits = forwardMasked(f.bench, f.maskBuffer, chunk.count);
      submitTfWork();
      return logits;
    });
    times.forwards.add(forward);
    times.weights.add(await timer.time(() => addScores(session, chunk, forward.value)));
    forward.value.dispose();
    times.tfjsMasks.add(
      await timer.time(() => {
        tf.dispose(tf.tidy(() => tfjsMasks(f.activations, f.resources.input, chunk.first, chunk.count)));
        submitTfWork();
      }),
    );
  }
  if (complete) {
    const finished = await timer.time(() => session.finish({ size: f.size, overlay: f.overlay }));
    times.finish.add(finished);
    times.readback.add(await timer.timeWall(() => finished.value.read()));
    finished.value.release();
  } else {
    session.release();
  }
  return times;
}

/**
 * Times Score-CAM on `bench` per the plan: an untimed warm-up that checks the first chunk's
 * masks (and, when every pair is scored, the maps), then a timed session.
 *
 * @example
 * const result = await runScoreCamCase(ctx, bench, { model: 'shapes-cnn', batch: 1, chunk: 16, chunks: 'all' });
 */
export async function runScoreCamCase(ctx: BenchContext, bench: BenchModel, plan: ScoreCamPlan): Promise<ScoreCamResult> {
  const { engine, timer, device, log } = ctx;
  const { batch } = plan;
  const resources = await caseResources(device, bench, batch, 2000 + batch);
  const warm = await warmupPass(bench, resources.input);
  tf.dispose([warm.gradients, warm.targetsOneHot]);
  const channels = bench.feature.channels;
  const pairsTotal = batch * channels;
  const complete = plan.chunks === 'all';
  const size = { height: bench.input.height, width: bench.input.width };
  const maskBuffer = device.createBuffer({
    label: 'bench masked inputs',
    size: Math.min(plan.chunk, pairsTotal) * size.height * size.width * bench.input.channels * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const activationData = tensorBuffer(warm.activations);
  const inputData = tensorBuffer(resources.input);
  const f: Fixture = {
    bench,
    batch,
    size,
    activations: warm.activations,
    targets: warm.targets,
    resources,
    chunks: chunksOf(pairsTotal, plan.chunk, complete ? Infinity : (plan.chunks as number)),
    maskBuffer,
    openSession: () =>
      engine.scoreCam({
        activations: { data: activationData.buffer, shape: [batch, bench.feature.height, bench.feature.width, channels] },
        input: { data: inputData.buffer, shape: [batch, size.height, size.width, bench.input.channels] },
        targets: [...warm.targets],
        classes: bench.classes,
      }),
    overlay: { image: { data: resources.image.buffer, width: size.width, height: size.height, count: batch }, colormap: 'jet', alpha: 0.5 },
  };
  try {
    log(`  ${bench.name} B=${batch} Score-CAM: warm-up and check (${complete ? `all ${pairsTotal} pairs` : `${f.chunks.length} chunk(s) of ${plan.chunk}`})`);
    const first = f.chunks[0] as Chunk;
    const warmSession = f.openSession();
    const maskRelL2 = await maskAgreement(f, warmSession, first);
    let maps: { tfjsOps: Agreement; cpu: Agreement } | null = null;
    if (complete) {
      maps = await mapAgreement(f, warmSession, timer);
    } else {
      // Compile the weights kernel and the model at this chunk size outside the timed spans.
      const scores = forwardMasked(bench, maskBuffer, first.count);
      addScores(warmSession, first, scores);
      scores.dispose();
      warmSession.release();
    }
    const passed = maskRelL2 < HEATMAP_TOLERANCE && (!maps || (agrees(maps.tfjsOps) && agrees(maps.cpu)));
    log(
      `  ${bench.name} B=${batch} Score-CAM: masks rel L2 vs TF.js ops ${maskRelL2.toExponential(1)}` +
        (maps ? `, maps vs TF.js ops ${maps.tfjsOps.heatmapRelL2.toExponential(1)}, vs CPU ${maps.cpu.heatmapRelL2.toExponential(1)}` : '') +
        (passed ? '' : '  FAILED'),
    );
    const afterWarmup = engine.poolStats();
    let times: ChunkTimes | null = null;
    if (passed) {
      log(`  ${bench.name} B=${batch} Score-CAM: timing ${f.chunks.length} chunk(s)`);
      times = await timeChunks(f, timer, complete);
    }
    const none = new SampleSet(timer.clock).samples();
    return {
      model: bench.name,
      batch,
      channels,
      chunk: plan.chunk,
      pairsTotal,
      pairsTimed: times ? f.chunks.reduce((n, c) => n + c.count, 0) : 0,
      masks: times?.masks.samples() ?? none,
      forwards: times?.forwards.samples() ?? none,
      weights: times?.weights.samples() ?? none,
      tfjsMasks: times?.tfjsMasks.samples() ?? none,
      maskRelL2,
      ...(maps ? { complete: { finish: times?.finish.samples() ?? none, readback: times?.readback.samples() ?? none, agreement: maps } } : {}),
      passed,
      pool: poolCheck(afterWarmup, engine.poolStats()),
    };
  } finally {
    activationData.release();
    inputData.release();
    maskBuffer.destroy();
    tf.dispose(warm.activations);
    resources.dispose();
  }
}
