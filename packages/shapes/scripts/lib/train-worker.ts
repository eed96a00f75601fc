/**
 * A data-parallel training thread. For each step it draws its share of the global batch
 * (its own slice of the training seed's sample indices), runs forward and backward with
 * batch normalisation over its local images ("ghost" batch norm), and writes its gradient
 * into shared memory. The main thread sums the gradients and updates the shared parameters
 * between steps.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mulberry32 } from '../../src/index.js';
import { BnShapesCnnTrainer, maskCoverage, type TrainingTarget } from './js-cnn/bn-trainer.js';
import { sharedViews, type SharedTensors } from './shared-tensors.js';
import { trainingItem } from './training-inputs.js';

/** What the main thread passes to each worker. */
export interface TrainWorkerData {
  /** URL of this module, imported by train-worker-bootstrap.mjs. */
  entry: string;
  size: number;
  filters: [number, number, number];
  numClasses: number;
  localBatch: number;
  globalBatch: number;
  workerIndex: number;
  trainSeed: number;
  /** Every n-th training sample (index mod n = n − 1) has two objects; 0 = none. */
  twoObjectEvery: number;
  /** Every n-th training sample (index mod n = 0) is a video-condition camera frame; 0 = none (see trainingItem). */
  videoEvery: number;
  /** Width (4:3) of those camera frames. */
  videoWidth: number;
  params: SharedTensors;
  grads: SharedTensors;
}

/** Main → worker: compute the gradient of one step. */
export interface StepRequest {
  step: number;
  clutter: number;
  /** Weight of the auxiliary location loss (0 = off). */
  auxWeight: number;
}

/** Worker → main. */
export interface StepResult {
  loss: number;
  auxLoss: number;
  correct: number;
}

const data = workerData as TrainWorkerData;
if (parentPort === null) throw new Error('train-worker must run in a worker thread');
const port = parentPort;

const trainer = new BnShapesCnnTrainer(data.size, data.filters, data.numClasses, data.localBatch, mulberry32(0));
// Use the shared parameters and this worker's gradient slot instead of the trainer's own.
sharedViews(data.params).forEach((v, i) => (trainer.params[i] = v));
sharedViews(data.grads).forEach((v, i) => (trainer.grads[i] = v));

port.on('message', (request: StepRequest) => {
  const start = request.step * data.globalBatch + data.workerIndex * data.localBatch;
  const grid = data.size / 4; // last_conv resolution
  const images: Float32Array[] = [];
  const targets: TrainingTarget[] = [];
  const mix = { size: data.size, twoObjectEvery: data.twoObjectEvery, videoEvery: data.videoEvery, videoWidth: data.videoWidth };
  for (let i = start; i < start + data.localBatch; i++) {
    // Sample i of the training stream (a still as generateDataset would draw it, or a camera frame).
    const item = trainingItem(data.trainSeed, i, mix, request.clutter);
    images.push(item.input);
    const labels = item.objects.map((m) => m.label);
    targets.push(request.auxWeight > 0 ? { labels, coverage: item.objects.map((m) => maskCoverage(m.mask, data.size, grid)) } : { labels });
  }
  const result = trainer.accumulateBatch(images, targets, data.globalBatch, request.auxWeight);
  port.postMessage(result satisfies StepResult);
});
