import * as tf from '@tensorflow/tfjs';
import { scorePlan, type CamEngine, type ScoreCamSession, type ScoreMethodName, type TensorSource } from '@wgcam/core';
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

  /** `activationShape` [B, h, w, C]: Ablation-CAM's passes are the layer's map with one channel zeroed, so a pass takes the larger of the two. */
  constructor(device: GPUDevice, inputShape: readonly [number, number, number], channels: number, activationShape: readonly number[] = []) {
    const activationValues = activationShape.length === 4 ? activationShape[1]! * activationShape[2]! * activationShape[3]! : 0;
    const perMask = Math.max(inputShape[0] * inputShape[1] * inputShape[2], activationValues) * 4;
    this.chunk = Math.max(1, Math.min(MAX_CHUNK, channels, Math.floor(MAX_MASK_BYTES / perMask)));
    this.buffer = device.createBuffer({ label: 'scorecam masked inputs', size: this.chunk * perMask, usage: TENSOR_BUFFER_USAGE });
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/**
 * Runs a score-based method's forward passes for one image (Score-CAM, Faster Score-CAM,
 * SS-CAM, IS-CAM: masked inputs through the model; Ablation-CAM: the layer's map with one
 * channel zeroed through the head): the engine writes each chunk on the GPU, TF.js runs
 * the model on it in place, and the logits go back to the engine as pass scores. Returns
 * the session with every pass scored, ready for `finish`; nothing leaves the GPU.
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
  method: ScoreMethodName = 'scorecam',
  model?: { readonly logits: TensorSource; readonly x: tf.Tensor4D },
): Promise<ScoreCamSession> {
  const plan = scorePlan(method);
  flushBackend();
  const session = engine.scoreCam({
    method,
    activations,
    input,
    targets: classIndex,
    classes: split.classes,
    ...(model ? { baseline: model.logits } : {}),
  });
  const { height, width, channels } = session.input;
  // Passes per model call: what the buffer holds of this method's passes.
  const chunk = Math.max(1, Math.min(masks.chunk, Math.floor(masks.buffer.size / session.maskBytes(1))));
  try {
    for (let first = 0; first < session.pairs; first += chunk) {
      const count = Math.min(chunk, session.pairs - first);
      session.writeMasks(first, count, masks.buffer);
      const shape: [number, number, number, number] = [count, height, width, channels];
      // On wasm or webgl the masked inputs come back to the CPU for the model, once per chunk.
      const masked = (
        backendDevice() === engine.device
          ? tf.tensor({ buffer: masks.buffer, zeroCopy: true }, shape, 'float32')
          : tf.tensor(new Float32Array(await copyOut(engine.device, masks.buffer, count * height * width * channels * 4)), shape, 'float32')
      ) as tf.Tensor4D;
      const logits = tf.tidy(() => (plan.feeds === 'input' ? split.logits(masked) : split.head(masked, tf.tile(model!.x, [count, 1, 1, 1]) as tf.Tensor4D)));
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
