import type * as tfType from '@tensorflow/tfjs';
import { generateDataset, SHAPE_CLASSES, SHAPES_DATASET_SEEDS, TRAINING_IMAGE_SIZE } from '../../src/index.js';
import { initTfjsWebGpuBackend } from '../../src/node/index.js';
import { samplesToTensors } from './batches.js';
import { buildShapesCnnForTraining, foldShapesCnn } from './build-shapes-cnn.js';
import { calibrateBatchNorm } from './calibrate-batch-norm.js';
import { saveShapesModel } from './save-model.js';
import { clutterAt, cosineLearningRate, type TrainOptions } from './train-options.js';

/**
 * Trains with TF.js itself (model.fit) on the WebGPU backend: conv → BN → ReLU while
 * training, BN calibrated and folded into the convolutions for the saved model, and the
 * clutter curriculum (per epoch), like the js engine — but without the auxiliary location
 * loss and the two-object images. On a CPU-only machine (SwiftShader) it measured 110–300
 * ms per image, so it is the slower engine there; with a real GPU it is the natural choice.
 */
export async function trainWithTfjs(o: TrainOptions): Promise<void> {
  const tf = await initTfjsWebGpuBackend();
  const size = TRAINING_IMAGE_SIZE;
  const architecture = { imageSize: size, numClasses: SHAPE_CLASSES.length, filters: o.filters };
  const model = buildShapesCnnForTraining(tf, architecture);
  const optimizer = tf.train.adam(o.learningRate);
  // The training model outputs logits, so the loss applies the softmax itself.
  const loss = (yTrue: tfType.Tensor, yPred: tfType.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred);
  model.compile({ optimizer, loss, metrics: ['accuracy'] });

  const val = samplesToTensors(tf, generateDataset(SHAPES_DATASET_SEEDS.heldOut, o.valSize, { size, start: 100_000 }));
  const valLabels = await tf.argMax(val.y, 1).data();
  // Same calibration images as the js engine (training seed, far beyond any training index).
  const calibration = samplesToTensors(tf, generateDataset(SHAPES_DATASET_SEEDS.train, 512, { size, start: 10_000_000 }));
  const validationAccuracy = async () => {
    await calibrateBatchNorm(tf, model, calibration.x, o.batchSize);
    // Inference mode now uses those population statistics, as the folded model does.
    const logits = model.predict(val.x, { batchSize: 100 }) as tfType.Tensor;
    const predicted = await logits.argMax(1).data();
    logits.dispose();
    let correct = 0;
    predicted.forEach((p, i) => (correct += p === valLabels[i] ? 1 : 0));
    return correct / predicted.length;
  };

  const started = Date.now();
  let lastAcc = -1;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    // Learning rate is updated per epoch here (model.fit owns the inner loop).
    const lr = cosineLearningRate(o.learningRate, epoch / o.epochs);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const t0 = Date.now();
    const clutter = clutterAt(epoch / o.epochs, o.clutterWarmup);
    const samples = generateDataset(SHAPES_DATASET_SEEDS.train, o.perEpoch, { size, start: epoch * o.perEpoch, clutter });
    const { x, y } = samplesToTensors(tf, samples);
    const tGen = Date.now();
    const history = await model.fit(x, y, { batchSize: o.batchSize, epochs: 1, shuffle: true, verbose: 0 });
    x.dispose();
    y.dispose();
    const acc = await validationAccuracy();
    const now = Date.now();
    const trainLoss = Number(history.history['loss']?.[0]);
    const trainAcc = Number(history.history['acc']?.[0] ?? history.history['accuracy']?.[0]);
    console.log(
      `epoch ${epoch + 1}/${o.epochs} lr ${lr.toFixed(5)} clutter ${clutter.toFixed(2)} loss ${trainLoss.toFixed(4)} train-acc ${trainAcc.toFixed(4)} ` +
        `val-acc ${acc.toFixed(4)} | gen ${((tGen - t0) / 1000).toFixed(1)}s fit ${((now - tGen) / 1000).toFixed(1)}s ` +
        `total ${((now - started) / 60000).toFixed(1)}min`,
    );
    lastAcc = acc;
    // As in the js engine: every full-clutter epoch overwrites the saved model, so it holds the last one.
    if (clutter >= 1) {
      const deployed = await foldShapesCnn(tf, model, architecture);
      await saveShapesModel(deployed, o.outDir);
      deployed.dispose();
      console.log(`  saved to ${o.outDir}`);
    }
    if (Date.now() > o.deadline) {
      console.log('time budget reached, stopping');
      break;
    }
  }
  console.log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min, final val-acc ${lastAcc.toFixed(4)}`);
}
