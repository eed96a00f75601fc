import * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { InvalidInputError, throwIfCancelled, type CancelSignal } from '../errors.js';
import { STORAGE_USAGE } from '../gpu/flags.js';
import { readBuffers } from '../gpu/readback.js';
import type { OutputRequest } from '../output-plan.js';
import { METHODS } from '../methods.js';
import type { CamResult } from '../result.js';
import { scorePlan, type ScoreMethodOptions } from '../score-plan.js';
import type { ScoreMethodName } from '../scorecam-session.js';
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
 * A score-based method on a TF.js model: for each chunk of passes the engine writes the
 * masked inputs (or, for Ablation-CAM, the activations with one channel zeroed) into a
 * GPU buffer, TF.js runs the model (or its head) on that buffer as a tensor (zero copy on
 * the webgpu backend), and the logits become pass scores on the GPU.
 *
 * @example
 * const result = await runScoreCam(split, engine, 'scorecam', inputs, [[3]], {}, { size }, slot);
 */
export async function runScoreCam(
  split: SplitModel,
  engine: CamEngine,
  method: ScoreMethodName,
  inputs: ScoreRunInputs,
  targets: number[][],
  options: ScoreCamOptions,
  outputs: OutputRequest,
  slot: MaskBufferSlot,
): Promise<CamResult> {
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
  try {
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
    options.onChunk?.(0, session.passes);
    for (let first = 0; first < session.passes; first += chunk) {
      throwIfCancelled(options.signal, METHODS[method].title);
      const count = Math.min(chunk, session.passes - first);
      session.writeMasks(first, count, maskBuffer);
      const shape: [number, number, number, number] = [count, height, width, channels];
      const masked = zeroCopy
        ? tf.tensor({ buffer: maskBuffer, zeroCopy: true }, shape, 'float32')
        : tf.tensor(new Float32Array((await readBuffers(engine.device, engine.pool, [{ buffer: maskBuffer, bytes: session.maskBytes(count) }]))[0]!), shape, 'float32');
      const logits = tf.tidy(() => {
        if (plan.feeds === 'input') return split.logits(masked as tf.Tensor4D);
        // The head also reads the input where a branch goes around the cut: each pass's own image.
        const images = tf.tensor1d(Array.from({ length: count }, (_, j) => session.imageOf(first + j)), 'int32');
        return split.head(masked as tf.Tensor4D, tf.gather(inputs.inputTensor, images) as tf.Tensor4D);
      });
      const scores = await bridgeTensor(logits, engine.device);
      flushBackend();
      session.addScores(first, count, scores.source);
      scores.release();
      tf.dispose([masked, logits]);
      options.onChunk?.(first + count, session.passes);
    }
    return session.finish(outputs);
  } catch (error) {
    session.release();
    throw error;
  }
}
