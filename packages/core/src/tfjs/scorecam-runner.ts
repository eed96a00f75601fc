import * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { InvalidInputError, throwIfCancelled, type CancelSignal } from '../errors.js';
import { STORAGE_USAGE } from '../gpu/flags.js';
import { readBuffers } from '../gpu/readback.js';
import type { OutputRequest } from '../output-plan.js';
import type { CamResult } from '../result.js';
import type { ScoreCamVariant } from '../scorecam-stages.js';
import type { SplitModel } from './split-model.js';
import { backendDevice, bridgeTensor, flushBackend, type BridgedTensor } from './tensor-bridge.js';

/** A mask buffer kept between calls, so the steady state allocates nothing. */
export interface MaskBufferSlot {
  buffer: GPUBuffer | null;
}

/** Score-CAM's knobs. */
export interface ScoreCamOptions {
  readonly batchSize?: number;
  readonly variant?: ScoreCamVariant;
  /** Called before the first chunk (done = 0) and after each chunk of masked forward passes with the (image, channel) pairs done and in all. */
  readonly onChunk?: (done: number, total: number) => void;
  /** Stops between chunks with a CancelledError. */
  readonly signal?: CancelSignal;
}

/**
 * Score-CAM on a TF.js model: for each chunk of (image, channel) pairs the engine writes
 * the masked inputs into a GPU buffer, TF.js runs the model on that buffer as a tensor
 * (zero copy on the webgpu backend), and the logits become channel weights on the GPU.
 *
 * @example
 * const result = await runScoreCam(split, engine, a, x, [[3]], {}, { size }, slot);
 */
export async function runScoreCam(
  split: SplitModel,
  engine: CamEngine,
  activations: BridgedTensor,
  input: BridgedTensor,
  targets: number[][],
  options: ScoreCamOptions,
  outputs: OutputRequest,
  slot: MaskBufferSlot,
): Promise<CamResult> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidInputError(`scoreCam.batchSize must be a positive integer; got ${batchSize}`);
  // The input actually fed (a dynamic model's size is the image's), not the split's declared shape.
  const [, height, width, channels] = input.source.shape as readonly [number, number, number, number];
  flushBackend();
  const session = engine.scoreCam({
    activations: activations.source,
    input: input.source,
    targets,
    classes: split.classes,
    ...(options.variant ? { variant: options.variant } : {}),
  });
  try {
    const chunk = Math.min(batchSize, session.pairs);
    const bytes = session.maskBytes(chunk);
    if (!slot.buffer || slot.buffer.size < bytes || slot.buffer.size > 4 * bytes) {
      slot.buffer?.destroy();
      slot.buffer = engine.device.createBuffer({ label: 'scorecam masked inputs', size: bytes, usage: STORAGE_USAGE });
    }
    const maskBuffer = slot.buffer;
    const zeroCopy = backendDevice() === engine.device;
    options.onChunk?.(0, session.pairs);
    for (let first = 0; first < session.pairs; first += chunk) {
      throwIfCancelled(options.signal, 'Score-CAM');
      const count = Math.min(chunk, session.pairs - first);
      session.writeMasks(first, count, maskBuffer);
      const shape: [number, number, number, number] = [count, height, width, channels];
      const masked = zeroCopy
        ? tf.tensor({ buffer: maskBuffer, zeroCopy: true }, shape, 'float32')
        : tf.tensor(new Float32Array((await readBuffers(engine.device, engine.pool, [{ buffer: maskBuffer, bytes: session.maskBytes(count) }]))[0]!), shape, 'float32');
      const logits = tf.tidy(() => split.logits(masked as tf.Tensor4D));
      const scores = await bridgeTensor(logits, engine.device);
      flushBackend();
      session.addScores(first, count, scores.source);
      scores.release();
      tf.dispose([masked, logits]);
      options.onChunk?.(first + count, session.pairs);
    }
    return session.finish(outputs);
  } catch (error) {
    session.release();
    throw error;
  }
}
