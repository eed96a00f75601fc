import * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { InvalidInputError, throwIfCancelled, type CancelSignal } from '../errors.js';
import { STORAGE_USAGE } from '../gpu/flags.js';
import { METHODS } from '../methods.js';
import { scorePlan, type ScoreMethodOptions, type ScorePlan } from '../score-plan.js';
import type { ScoreCamSession, ScoreMethodName } from '../scorecam-session.js';
import type { SplitModel } from './split-model.js';
import { backendDevice, bridgeTensor, flushBackend, type BridgedTensor } from './tensor-bridge.js';

/** A mask buffer kept between calls, so the steady state allocates nothing. */
export interface MaskBufferSlot {
  buffer: GPUBuffer | null;
}

/**
 * The knobs of the score-based methods (Score-CAM and its variants, Faster Score-CAM,
 * SS-CAM, IS-CAM, Ablation-CAM); each method reads the options its table row lists.
 */
export interface ScoreCamOptions extends ScoreMethodOptions {
  /** Forward passes per model call (default 32). */
  readonly batchSize?: number;
  /** Called before the first chunk (done = 0) and after each chunk of forward passes with the passes done and in all. */
  readonly onChunk?: (done: number, total: number) => void;
  /** Stops between chunks with a CancelledError. */
  readonly signal?: CancelSignal;
}

/** The tensors a score-based method reads besides its options. */
export interface ScoreRunInputs {
  readonly activations: BridgedTensor;
  /** The model input as fed, bridged (masked-input methods read it on the GPU). */
  readonly input: BridgedTensor;
  /** The same input as a tensor (Ablation-CAM's head reads each pass's image). */
  readonly inputTensor: tf.Tensor4D;
  /** The model's logits on the input, bridged, [B, classes] (baseline variant, SS-CAM, IS-CAM, Ablation-CAM). */
  readonly baseline: BridgedTensor | null;
}

/**
 * The logits of every channel's masked input from one Score-CAM run ([B·C, classes], pass
 * order: image-major, channel within image), kept so that a Faster Score-CAM of the same
 * call takes its rows instead of running the model again: its masked inputs are those of
 * its chosen channels, made by the same kernel from the same ranges.
 */
export interface MaskedLogits {
  /** The plan that made the masks. */
  readonly plan: ScorePlan;
  readonly logits: tf.Tensor2D;
}

/** What runScorePasses may share with the other score-based methods of one call. */
export interface MaskedLogitsShare {
  /** Keep this run's logits when it masks every channel once without noise (see keepsMaskedLogits). */
  readonly keep?: boolean;
  /** Logits kept by an earlier run of the call, used when this run's masks are among them (see masksAmong). */
  readonly from?: MaskedLogits | null;
}

/** A score-based run whose passes are all scored: its session, still to be finished (alone, or with other methods by CamEngine.computeMany). */
export interface ScorePassesRun {
  /** Every pass scored; the caller finishes or releases it. */
  readonly session: ScoreCamSession;
  /** The logits kept for a later method (share.keep), else null; the caller disposes them. */
  readonly kept: MaskedLogits | null;
  /** Model (or head) calls this run made: 0 when it took kept logits. */
  readonly modelCalls: number;
}

/**
 * Whether a plan's passes are every channel's masked input exactly once, without noise:
 * then its logits hold the rows any other plan with the same masks needs.
 *
 * @example
 * keepsMaskedLogits(scorePlan('scorecam')); // true
 * keepsMaskedLogits(scorePlan('sscam')); // false (noisy samples)
 */
export function keepsMaskedLogits(plan: ScorePlan): boolean {
  return plan.feeds === 'input' && plan.maxChannels === null && plan.samples === 1 && plan.noiseStd === 0 && !plan.integrated;
}

/**
 * Whether every masked input of `plan` is one of `kept`'s: both make masks of single,
 * noise-free samples on the same grid with the same epsilon (the ranges and the mask
 * kernel's constants), and `kept` masked every channel. How the logits become scores
 * (the variant's scoring) may differ: it runs after.
 *
 * @example
 * masksAmong(scorePlan('fasterscorecam'), scorePlan('scorecam')); // true
 * masksAmong(scorePlan('fasterscorecam'), scorePlan('scorecam', { variant: 'channel-softmax' })); // false: another grid
 */
export function masksAmong(plan: ScorePlan, kept: ScorePlan): boolean {
  return (
    keepsMaskedLogits(kept) &&
    plan.feeds === 'input' &&
    plan.samples === 1 &&
    plan.noiseStd === 0 &&
    !plan.integrated &&
    plan.grid === kept.grid &&
    plan.epsilon === kept.epsilon
  );
}

/**
 * A score-based method's passes on a TF.js model: for each chunk of passes the engine writes
 * the masked inputs (or, for Ablation-CAM, the activations with one channel zeroed) into a
 * GPU buffer, TF.js runs the model (or its head) on that buffer as a tensor (zero copy on
 * the webgpu backend), and the logits become pass scores on the GPU. With `share.from`
 * holding the logits of the same masks (a Score-CAM of the same call), a Faster
 * Score-CAM reads its chosen channels (B·N integers) and takes those rows: no model call.
 * The session comes back with every pass scored, for the caller to finish (alone, or with
 * the call's other methods in one submit by CamEngine.computeMany) or release. `onMasks` is
 * called after each chunk's masked inputs are handed to TF.js and before the model runs on
 * them: GPU work submitted there runs while the model does (on a CPU backend).
 *
 * @example
 * const { session } = await runScorePasses(split, engine, 'scorecam', inputs, [[3]], {}, slot);
 * const results = engine.computeMany({ methods: ['gradcam', session], activations, gradients, size });
 */
export async function runScorePasses(
  split: SplitModel,
  engine: CamEngine,
  method: ScoreMethodName,
  inputs: ScoreRunInputs,
  targets: number[][],
  options: ScoreCamOptions,
  slot: MaskBufferSlot,
  share: MaskedLogitsShare = {},
  onMasks?: () => void,
): Promise<ScorePassesRun> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidInputError(`scoreCam.batchSize must be a positive integer; got ${batchSize}`);
  const plan = scorePlan(method, options);
  flushBackend();
  const session = engine.scoreCam({
    ...options,
    method,
    activations: inputs.activations.source,
    input: inputs.input.source,
    targets,
    classes: split.classes,
    ...(plan.needsBaseline && inputs.baseline ? { baseline: inputs.baseline.source } : {}),
  });
  const keep = share.keep === true && keepsMaskedLogits(plan);
  const kept: tf.Tensor2D[] = [];
  try {
    options.onChunk?.(0, session.passes);
    if (share.from && masksAmong(plan, share.from.plan)) {
      await takeKeptRows(engine, session, share.from, split.classes);
      options.onChunk?.(session.passes, session.passes);
      return { session, kept: null, modelCalls: 0 };
    }
    // The shape each pass feeds: the input as fed (a dynamic model's size is the image's), or the layer's map.
    const { height, width, channels } = session.input;
    const chunk = Math.min(batchSize, session.passes);
    const bytes = session.maskBytes(chunk);
    if (!slot.buffer || slot.buffer.size < bytes || slot.buffer.size > 4 * bytes) {
      slot.buffer?.destroy();
      slot.buffer = engine.device.createBuffer({ label: 'scorecam masked inputs', size: bytes, usage: STORAGE_USAGE });
    }
    const maskBuffer = slot.buffer;
    const zeroCopy = backendDevice() === engine.device;
    let modelCalls = 0;
    for (let first = 0; first < session.passes; first += chunk) {
      throwIfCancelled(options.signal, METHODS[method].title);
      const count = Math.min(chunk, session.passes - first);
      const shape: [number, number, number, number] = [count, height, width, channels];
      let masked: tf.Tensor;
      if (zeroCopy) {
        session.writeMasks(first, count, maskBuffer);
        masked = tf.tensor({ buffer: maskBuffer, zeroCopy: true }, shape, 'float32');
      } else {
        // The model runs on the CPU side: the masks come back in the submit that writes them.
        masked = tf.tensor(await session.writeAndReadMasks(first, count, maskBuffer), shape, 'float32');
      }
      onMasks?.();
      const logits = tf.tidy(() => {
        if (plan.feeds === 'input') return split.logits(masked as tf.Tensor4D);
        // The head also reads the input where a branch goes around the cut: each pass's own image.
        const images = tf.tensor1d(Array.from({ length: count }, (_, j) => session.imageOf(first + j)), 'int32');
        return split.head(masked as tf.Tensor4D, tf.gather(inputs.inputTensor, images) as tf.Tensor4D);
      });
      modelCalls++;
      const scores = await bridgeTensor(logits, engine.device);
      flushBackend();
      session.addScores(first, count, scores.source);
      scores.release();
      tf.dispose(masked);
      if (keep) kept.push(logits as tf.Tensor2D);
      else logits.dispose();
      options.onChunk?.(first + count, session.passes);
    }
    if (!keep) return { session, kept: null, modelCalls };
    const logits = kept.length === 1 ? kept[0]! : tf.concat(kept);
    if (kept.length > 1) tf.dispose(kept);
    kept.length = 0;
    return { session, kept: { plan, logits }, modelCalls };
  } catch (error) {
    session.release();
    tf.dispose(kept);
    throw error;
  }
}

/** Adds every pass's scores from the kept logits: pass r of image b = r / N masks channel selected[r], Score-CAM's row b·C + selected[r]. */
async function takeKeptRows(engine: CamEngine, session: ScoreCamSession, from: MaskedLogits, classes: number): Promise<void> {
  const { batch, channels } = session.dims;
  if (from.logits.shape[0] !== batch * channels || from.logits.shape[1] !== classes) {
    throw new InvalidInputError(`the kept Score-CAM logits have shape [${from.logits.shape.join(', ')}]; this call needs [${batch * channels}, ${classes}]`);
  }
  const selected = await session.readSelection();
  const perImage = selected.length / batch;
  const rows = Int32Array.from(selected, (channel, r) => Math.floor(r / perImage) * channels + channel);
  const logits = tf.tidy(() => tf.gather(from.logits, tf.tensor1d(rows, 'int32')));
  try {
    const scores = await bridgeTensor(logits, engine.device);
    flushBackend();
    session.addScores(0, session.passes, scores.source);
    scores.release();
  } finally {
    logits.dispose();
  }
}
