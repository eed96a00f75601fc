// The three ways of post-processing one batch of activations (and gradients): wgcam's
// kernels, the same math as TF.js ops (baseline 1), and JavaScript loops after a readback
// (baseline 2). Each returns its outputs and the times of its two spans.
import * as tf from '@tensorflow/tfjs';
import { METHODS, type CamEngine, type ComputeOptions } from '@wgcam/core';
import { cpuPostProcess, type CpuMethodInputs } from '../baselines/cpu-post.js';
import type { BenchMethod, FeatureShape, PixelSize } from '../baselines/feature-shape.js';
import { shapeArray } from '../baselines/feature-shape.js';
import { tfjsPostProcess, type TfMethodInputs } from '../baselines/tfjs-post.js';
import { submitTfWork, tensorBuffer } from '../gpu/tf-queue.js';
import type { SpanTime, SpanTimer } from '../timing/span-timer.js';

/** Everything one method's post-processing reads, in the form each way needs it. */
export interface PostInputs {
  readonly method: BenchMethod;
  readonly shape: FeatureShape;
  readonly size: PixelSize;
  readonly activations: tf.Tensor4D;
  /** Gradient methods. */
  readonly gradients?: tf.Tensor4D;
  /** CAM: the dense kernel [C, classes] as a tensor, on the GPU for wgcam and on the CPU for baseline 2. */
  readonly denseKernel?: { readonly tensor: tf.Tensor2D; readonly buffer: GPUBuffer; readonly values: Float32Array };
  /** Score-CAM: channel weights [B, C]. */
  readonly scoreWeights?: { readonly tensor: tf.Tensor2D; readonly values: Float32Array };
  readonly targets: readonly number[];
  readonly classes: number;
  readonly image: { readonly buffer: GPUBuffer; readonly tensor: tf.Tensor4D; readonly bytes: Uint8Array };
  readonly lut: { readonly table: Float32Array; readonly tensor: tf.Tensor2D };
  readonly alpha: number;
}

/** What wgcam alone reads (the scaling sweeps run only wgcam). */
export type WgcamInputs = Omit<PostInputs, 'image' | 'lut' | 'scoreWeights'> & { readonly image: Pick<PostInputs['image'], 'buffer'> };

/** One way's outputs and timings. */
export interface PostRun {
  readonly heatmap: Float32Array;
  readonly overlay: ArrayLike<number>;
  /** The GPU work (or, for the CPU way, the JavaScript loops). */
  readonly post: SpanTime;
  /** Bringing outputs (or, for the CPU way, the inputs) to the CPU; wall time. */
  readonly readback: SpanTime;
}

function need<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing for this method`);
  return value;
}

/** wgcam: the tensors' buffers go to the engine (one GPU copy each), one submit, one readback. */
export async function runWgcam(engine: CamEngine, timer: SpanTimer, inputs: WgcamInputs): Promise<PostRun> {
  const { shape, size, image } = inputs;
  const post = await timer.time(() => {
    const releases: (() => void)[] = [];
    const buffer = (tensor: tf.Tensor): GPUBuffer => {
      const data = tensorBuffer(tensor);
      releases.push(data.release);
      return data.buffer;
    };
    const base: ComputeOptions = {
      method: inputs.method,
      activations: { data: buffer(inputs.activations), shape: shapeArray(shape) },
      size,
      overlay: { image: { data: image.buffer, width: size.width, height: size.height, count: shape.batch }, colormap: 'jet', alpha: inputs.alpha },
    };
    const needs = METHODS[inputs.method].needs;
    if (needs === 'scores') throw new Error('Score-CAM is timed by its own suite (scorecam-suite), not as post-processing');
    const result =
      needs === 'dense-kernel'
        ? engine.compute({ ...base, denseKernel: { data: need(inputs.denseKernel, 'the dense kernel').buffer, shape: [shape.channels, inputs.classes] }, targets: [...inputs.targets] })
        : needs === 'gradients'
          ? engine.compute({ ...base, gradients: { data: buffer(need(inputs.gradients, 'gradients')), shape: shapeArray(shape) } })
          : engine.compute(base);
    // TF.js may reuse the copies' buffers only for work queued after the engine's submit.
    for (const release of releases) release();
    return result;
  });
  const readback = await timer.timeWall(() => post.value.read());
  post.value.release();
  return { heatmap: need(readback.value.heatmap, 'wgcam heatmap'), overlay: need(readback.value.overlay, 'wgcam overlay'), post, readback };
}

function tfMethodInputs(inputs: PostInputs): TfMethodInputs {
  if (inputs.method === 'cam') {
    return { method: 'cam', denseKernel: need(inputs.denseKernel, 'the dense kernel').tensor, targets: tf.tensor1d([...inputs.targets], 'int32') };
  }
  if (inputs.method === 'scorecam') return { method: 'scorecam', weights: need(inputs.scoreWeights, 'Score-CAM weights').tensor };
  return { method: inputs.method, gradients: need(inputs.gradients, 'gradients') };
}

/** Baseline 1: the same math as TF.js ops on the same backend, then one readback. */
export async function runTfjsOps(timer: SpanTimer, inputs: PostInputs): Promise<PostRun> {
  const post = await timer.time(() => {
    const outputs = tf.tidy(() => tfjsPostProcess(inputs.activations, tfMethodInputs(inputs), inputs.size, { image: inputs.image.tensor, lut255: inputs.lut.tensor, alpha: inputs.alpha }));
    submitTfWork();
    return outputs;
  });
  const { heatmap, overlay } = post.value;
  const readback = await timer.timeWall(() => Promise.all([heatmap.data<'float32'>(), overlay.data<'int32'>()]));
  tf.dispose([heatmap, overlay]);
  const [heatValues, overlayValues] = readback.value;
  return { heatmap: heatValues, overlay: overlayValues, post, readback };
}

function cpuMethodInputs(inputs: PostInputs, gradients: Float32Array | undefined): CpuMethodInputs {
  if (inputs.method === 'cam') return { method: 'cam', denseKernel: need(inputs.denseKernel, 'the dense kernel').values, classes: inputs.classes, targets: inputs.targets };
  if (inputs.method === 'scorecam') return { method: 'scorecam', weights: need(inputs.scoreWeights, 'Score-CAM weights').values };
  return { method: inputs.method, gradients: need(gradients, 'gradients') };
}

/** Baseline 2: read the activations (and gradients) back, then loop in JavaScript. */
export async function runCpu(timer: SpanTimer, inputs: PostInputs): Promise<PostRun> {
  // TF.js caches a tensor's values after its first read; fresh copies make every round pay the readback.
  const needsGradients = METHODS[inputs.method].needs === 'gradients';
  const fresh = tf.tidy(() => [tf.add(inputs.activations, 0), ...(needsGradients ? [tf.add(need(inputs.gradients, 'gradients'), 0)] : [])]);
  submitTfWork();
  const readback = await timer.timeWall(() => Promise.all(fresh.map((t) => t.data<'float32'>())));
  tf.dispose(fresh);
  const [activations, gradients] = readback.value as [Float32Array, Float32Array | undefined];
  const methodInputs = cpuMethodInputs(inputs, gradients);
  const post = await timer.timeWall(() =>
    cpuPostProcess(activations, methodInputs, inputs.shape, inputs.size, { image: inputs.image.bytes, lut: inputs.lut.table, alpha: inputs.alpha }),
  );
  return { heatmap: post.value.heatmap, overlay: post.value.overlay, post, readback };
}
