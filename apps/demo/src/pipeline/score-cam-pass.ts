import * as tf from '@tensorflow/tfjs';
import type { CamEngine, ScoreCamSession } from '@wgcam/core';
import { backendDevice, bridgeTensor, fixedInputShape, flushBackend, type SplitModel } from '@wgcam/core/tfjs';
import { TENSOR_BUFFER_USAGE } from '@wgcam/web-adapter';
import { copyOut } from './frame-probe.js';

// Masked inputs per forward pass: all channels of small models in one go, fewer when one
// batch of masked inputs would pass this many bytes.
const MAX_CHUNK = 64;
const MAX_MASK_BYTES = 32 * 1024 * 1024;

/**
 * The reusable GPU buffer Score-CAM writes masked inputs into and TF.js reads as a
 * zero-copy tensor; sized once per model and layer.
 *
 * @example
 * const masks = new MaskBatch(device, [32, 32, 3], 64);
 * masks.chunk; // masked inputs per forward pass
 */
export class MaskBatch {
  readonly chunk: number;
  readonly buffer: GPUBuffer;

  constructor(device: GPUDevice, inputShape: readonly [number, number, number], channels: number) {
    const perMask = inputShape[0] * inputShape[1] * inputShape[2] * 4;
    this.chunk = Math.max(1, Math.min(MAX_CHUNK, channels, Math.floor(MAX_MASK_BYTES / perMask)));
    this.buffer = device.createBuffer({ label: 'scorecam masked inputs', size: this.chunk * perMask, usage: TENSOR_BUFFER_USAGE });
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/**
 * Runs Score-CAM's masked forward passes for one image: the engine writes each chunk of
 * masked inputs on the GPU, TF.js runs the model on them in place, and the logits go back
 * to the engine as channel weights. Returns the session with every channel scored, ready
 * for `finish`; nothing leaves the GPU.
 *
 * @example
 * const session = await scoreAllChannels(engine, split, masks, activations, { data: input.inputBuffer, shape: input.inputShape }, 3);
 * const result = session.finish({ overlay: { ... } });
 */
export async function scoreAllChannels(
  engine: CamEngine,
  split: SplitModel,
  masks: MaskBatch,
  activations: { data: GPUBuffer; shape: readonly number[] },
  input: { data: GPUBuffer; shape: readonly number[] },
  classIndex: number,
): Promise<ScoreCamSession> {
  const [height, width, channels] = fixedInputShape(split);
  flushBackend();
  const session = engine.scoreCam({ activations, input, targets: classIndex, classes: split.classes });
  try {
    for (let first = 0; first < session.pairs; first += masks.chunk) {
      const count = Math.min(masks.chunk, session.pairs - first);
      session.writeMasks(first, count, masks.buffer);
      const shape: [number, number, number, number] = [count, height, width, channels];
      // On wasm or webgl the masked inputs come back to the CPU for the model, once per chunk.
      const masked = (
        backendDevice() === engine.device
          ? tf.tensor({ buffer: masks.buffer, zeroCopy: true }, shape, 'float32')
          : tf.tensor(new Float32Array(await copyOut(engine.device, masks.buffer, count * height * width * channels * 4)), shape, 'float32')
      ) as tf.Tensor4D;
      const logits = tf.tidy(() => split.logits(masked));
      const scores = await bridgeTensor(logits, engine.device);
      flushBackend();
      session.addScores(first, count, scores.source);
      scores.release();
      tf.dispose([masked, logits]);
    }
    return session;
  } catch (error) {
    session.release();
    throw error;
  }
}
