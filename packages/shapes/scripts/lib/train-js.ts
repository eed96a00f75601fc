import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { mulberry32, SHAPE_CLASSES, SHAPES_DATASET_SEEDS, TRAINING_IMAGE_SIZE } from '../../src/index.js';
import { BnShapesCnnTrainer } from './js-cnn/bn-trainer.js';
import { Adam } from './js-cnn/adam.js';
import { JsShapesCnn } from './js-cnn/network.js';
import { allocateShared, sharedViews } from './shared-tensors.js';
import { auxWeightAt, clutterAt, cosineLearningRate, type TrainOptions } from './train-options.js';
import type { StepRequest, StepResult, TrainWorkerData } from './train-worker.js';
import { checkTrainingMix } from './training-inputs.js';
import { CALIBRATION_IMAGES, calibrationImages, validateAndSave as scoreAndSave, validationSets } from './validation.js';

/** Everything needed to continue training exactly where an epoch ended. */
interface Checkpoint {
  /** Optimizer steps done. */
  step: number;
  /** Training parameters (TRAINING_PARAM_NAMES order). */
  params: number[][];
  adam: { t: number; m: number[][]; v: number[][] };
}

/** Worker threads sharing the parameters; each computes the gradient of its part of a batch. */
function startWorkers(o: TrainOptions, trainer: BnShapesCnnTrainer) {
  const params = allocateShared(trainer.params.map((p) => p.length));
  const paramViews = sharedViews(params);
  paramViews.forEach((v, i) => v.set(trainer.params[i] as Float32Array));
  // From here on the main trainer reads the shared parameters that Adam updates.
  paramViews.forEach((v, i) => (trainer.params[i] = v));
  const workers = [...Array(o.threads).keys()].map((w) => {
    const grads = allocateShared(trainer.params.map((p) => p.length));
    const data: TrainWorkerData = {
      entry: new URL('./train-worker.ts', import.meta.url).href,
      size: trainer.size,
      filters: [...o.filters],
      numClasses: trainer.numClasses,
      localBatch: o.batchSize / o.threads,
      globalBatch: o.batchSize,
      workerIndex: w,
      trainSeed: SHAPES_DATASET_SEEDS.train,
      twoObjectEvery: o.twoObjectEvery,
      videoEvery: o.videoEvery,
      videoWidth: o.videoWidth,
      params,
      grads,
    };
    const worker = new Worker(new URL('./train-worker-bootstrap.mjs', import.meta.url), { workerData: data });
    return { worker, grads: sharedViews(grads) };
  });
  // One outstanding request per worker; its reply (or error) settles that worker's promise.
  const pending: ({ resolve: (r: StepResult) => void; reject: (e: unknown) => void } | undefined)[] = [];
  workers.forEach(({ worker }, w) => {
    worker.on('message', (r: StepResult) => pending[w]?.resolve(r));
    worker.on('error', (e) => pending[w]?.reject(e));
  });
  const summed = trainer.params.map((p) => new Float32Array(p.length));
  return {
    /** Runs one step on all workers; returns their results and the summed gradient. */
    async step(request: StepRequest): Promise<{ results: StepResult[]; grads: Float32Array[] }> {
      const results = await Promise.all(
        workers.map(
          ({ worker }, w) =>
            new Promise<StepResult>((resolve, reject) => {
              pending[w] = { resolve, reject };
              worker.postMessage(request);
            }),
        ),
      );
      summed.forEach((g, i) => {
        g.set(workers[0]?.grads[i] as Float32Array);
        for (const w of workers.slice(1)) {
          const part = w.grads[i] as Float32Array;
          for (let j = 0; j < g.length; j++) g[j] = (g[j] as number) + (part[j] as number);
        }
      });
      return { results, grads: summed };
    },
    stop: () => Promise.all(workers.map(({ worker }) => worker.terminate())),
  };
}

/**
 * Trains with the plain-TypeScript network (conv → BN → ReLU stages; the same math as TF.js,
 * checked against tf.variableGrads in test/js-cnn.test.ts), data-parallel over worker
 * threads that share the parameters. After every epoch it measures BN population
 * statistics on fixed calibration images, folds BN into the convolutions, scores that
 * deployed network on the validation slice and saves it through TF.js (an ordinary
 * tf.LayersModel of buildShapesCnn; see validateAndSave for which epoch ends up saved).
 * TF.js runs on its cpu backend here; it only builds and serialises the model.
 *
 * The images start with less clutter (a curriculum, see clutterAt) to shorten the plateau
 * at chance level this GAP network shows on cluttered images. Training is on labels alone
 * by default; --aux-weight > 0 adds the earlier auxiliary location loss on the object's cells
 * (see TrainingTarget), decaying linearly to 0 at --aux-until, which supervises the CAM with
 * object masks. Every --two-object-every-th image has two objects with a ½/½ target, so the
 * model ranks both classes of such images on top; once the clutter is full, every
 * --video-every-th image is a camera frame of the moving-shapes video's distribution (see
 * trainingItem).
 *
 * Deterministic: the same options give the same weights (samples, initialisation and the
 * order of floating-point sums are fixed; --threads changes the BN batches, though).
 */
export async function trainWithJs(o: TrainOptions): Promise<void> {
  await tf.setBackend('cpu');
  const size = TRAINING_IMAGE_SIZE;
  if (o.batchSize % o.threads !== 0) throw new Error('--batch must be a multiple of --threads');
  if (o.perEpoch % o.batchSize !== 0) throw new Error('--per-epoch must be a multiple of --batch');
  const numClasses = SHAPE_CLASSES.length;
  const localBatch = o.batchSize / o.threads;
  if (CALIBRATION_IMAGES % localBatch !== 0) throw new Error(`--batch / --threads must divide ${CALIBRATION_IMAGES}`);
  checkTrainingMix({ size, twoObjectEvery: o.twoObjectEvery, videoEvery: o.videoEvery, videoWidth: o.videoWidth });

  // The main thread's trainer supplies the initial weights, runs the Adam updates on the
  // shared parameters, and measures BN statistics for folding.
  const trainer = new BnShapesCnnTrainer(size, o.filters, numClasses, localBatch, mulberry32(o.initSeed));
  const checkpoint = o.resume === undefined ? undefined : (JSON.parse(readFileSync(o.resume, 'utf8')) as Checkpoint);
  if (checkpoint) checkpoint.params.forEach((p, i) => trainer.params[i]?.set(p));
  const workers = startWorkers(o, trainer);
  const adam = new Adam(trainer.params);
  if (checkpoint) adam.restore(checkpoint.adam);

  const sets = validationSets(size, o.valSize, o.videoEvery > 0);
  const calibration = calibrationImages(size, o.videoEvery, o.videoWidth);

  const stepsPerEpoch = o.perEpoch / o.batchSize;
  const totalSteps = o.epochs * stepsPerEpoch;
  let step = checkpoint?.step ?? 0;
  if (step % stepsPerEpoch !== 0) throw new Error('the checkpoint does not end on an epoch boundary of this --per-epoch/--batch');
  let lastAcc = -1;

  /**
   * Folds BN with fresh population statistics, scores the folded model on the validation
   * slice and saves it once the clutter has reached 1. Every such epoch overwrites the
   * previous one, so the files hold the end of the cosine schedule (or the last epoch before
   * --max-minutes stopped the run); validation is reported, not used to pick an epoch.
   */
  const validateAndSave = async (): Promise<string> => {
    const net = new JsShapesCnn(size, o.filters, numClasses, trainer.foldedParams(trainer.populationStatistics(calibration)));
    const full = clutterAt(Math.max(0, step - 1) / totalSteps, o.clutterWarmup) >= 1;
    const { accuracy, text } = await scoreAndSave(net, sets, full ? o.outDir : undefined);
    lastAcc = accuracy;
    return text;
  };

  const started = Date.now();
  try {
    if (step >= totalSteps) console.log(`checkpoint already at step ${step}: ${await validateAndSave()}`);
    for (let epoch = step / stepsPerEpoch; epoch < o.epochs; epoch++) {
      const t0 = Date.now();
      let loss = 0;
      let auxLoss = 0;
      let correct = 0;
      let lr = 0;
      let clutter = 0;
      let auxWeight = 0;
      for (let s = 0; s < stepsPerEpoch; s++, step++) {
        const progress = step / totalSteps;
        clutter = clutterAt(progress, o.clutterWarmup);
        auxWeight = auxWeightAt(progress, o.auxWeight, o.auxUntil);
        lr = cosineLearningRate(o.learningRate, progress);
        const { results, grads } = await workers.step({ step, clutter, auxWeight });
        for (const r of results) {
          loss += r.loss;
          auxLoss += r.auxLoss;
          correct += r.correct;
        }
        adam.step(trainer.params, grads, lr);
      }
      const tTrain = Date.now();
      if (o.checkpoint !== undefined) {
        const state: Checkpoint = { step, params: trainer.params.map((p) => Array.from(p)), adam: adam.state() };
        writeFileSync(o.checkpoint, JSON.stringify(state));
      }
      const validation = await validateAndSave();
      const now = Date.now();
      console.log(
        `epoch ${epoch + 1}/${o.epochs} lr ${lr.toFixed(5)} clutter ${clutter.toFixed(2)} aux ${auxWeight.toFixed(2)} ` +
          `loss ${(loss / o.perEpoch).toFixed(4)} aux-loss ${(auxLoss / o.perEpoch).toFixed(4)} train-acc ${(correct / o.perEpoch).toFixed(4)} ` +
          `${validation} | train ${((tTrain - t0) / 1000).toFixed(1)}s (${((tTrain - t0) / o.perEpoch).toFixed(1)} ms/img) ` +
          `val ${((now - tTrain) / 1000).toFixed(1)}s total ${((now - started) / 60000).toFixed(1)}min`,
      );
      if (Date.now() > o.deadline) {
        console.log('time budget reached, stopping');
        break;
      }
    }
  } finally {
    await workers.stop();
  }
  console.log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min, final val-acc ${lastAcc.toFixed(4)}`);
}
