import * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { InvalidInputError, throwIfCancelled, type CancelSignal } from '../errors.js';
import type { FaithfulnessOptions, FaithfulnessScores } from '../faithfulness-plan.js';
import { FaithfulnessSession } from '../faithfulness-session.js';
import { STORAGE_USAGE } from '../gpu/flags.js';
import { readBuffers } from '../gpu/readback.js';
import type { MaskBufferSlot } from './scorecam-runner.js';
import type { SplitModel } from './split-model.js';
import { backendDevice, bridgeTensor, flushBackend, type BridgedTensor } from './tensor-bridge.js';

/** How the metrics' perturbed inputs are run. */
export interface FaithfulnessRunOptions extends FaithfulnessOptions {
  /** Perturbed inputs per forward pass (default 64). */
  readonly batchSize?: number;
  /** Stops between chunks with a CancelledError. */
  readonly signal?: CancelSignal;
  /** Called before the first chunk (done = 0) and after each with the perturbed inputs done and in all. */
  readonly onChunk?: (done: number, total: number) => void;
}

/**
 * Runs the faithfulness metrics of `maps` on a TF.js model: for each chunk of perturbed
 * inputs the engine writes them into one GPU buffer, TF.js runs the model on it as a
 * tensor (zero copy on the webgpu backend, else one copy of the chunk), and the target
 * scores stay on the GPU until the single readback at the end.
 *
 * @example
 * const scores = await runFaithfulness(split, engine, input, maps, [2], {}, slot);
 */
export async function runFaithfulness(
  split: SplitModel,
  engine: CamEngine,
  input: BridgedTensor,
  maps: { readonly data: Float32Array; readonly shape: readonly number[] },
  targets: readonly number[],
  options: FaithfulnessRunOptions,
  slot: MaskBufferSlot,
): Promise<FaithfulnessScores[]> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidInputError(`batchSize must be a positive integer; got ${batchSize}`);
  const [, height, width, channels] = input.source.shape as readonly [number, number, number, number];
  flushBackend();
  const session = new FaithfulnessSession(engine, { ...options, input: input.source, maps, targets: [...targets], classes: split.classes });
  try {
    const chunk = Math.min(batchSize, session.entries);
    const bytes = session.inputBytes(chunk);
    if (!slot.buffer || slot.buffer.size < bytes || slot.buffer.size > 4 * bytes) {
      slot.buffer?.destroy();
      slot.buffer = engine.device.createBuffer({ label: 'faithfulness inputs', size: bytes, usage: STORAGE_USAGE });
    }
    const buffer = slot.buffer;
    const zeroCopy = backendDevice() === engine.device;
    options.onChunk?.(0, session.entries);
    for (let first = 0; first < session.entries; first += chunk) {
      throwIfCancelled(options.signal, 'the faithfulness metrics');
      const count = Math.min(chunk, session.entries - first);
      await session.inputsReady(first, count);
      session.writeInputs(first, count, buffer);
      const shape: [number, number, number, number] = [count, height, width, channels];
      const batch = zeroCopy
        ? tf.tensor({ buffer, zeroCopy: true }, shape, 'float32')
        : tf.tensor(new Float32Array((await readBuffers(engine.device, engine.pool, [{ buffer, bytes: session.inputBytes(count) }]))[0]!), shape, 'float32');
      const logits = tf.tidy(() => split.logits(batch as tf.Tensor4D));
      const scores = await bridgeTensor(logits, engine.device);
      flushBackend();
      session.addScores(first, count, scores.source);
      scores.release();
      tf.dispose([batch, logits]);
      options.onChunk?.(first + count, session.entries);
    }
    return await session.finish();
  } catch (error) {
    session.release();
    throw error;
  }
}
