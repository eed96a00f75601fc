import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, mulberry32, toModelInput } from '../src/index.js';
import { buildShapesCnn, buildShapesCnnForTraining } from '../scripts/lib/build-shapes-cnn.js';
import { BnShapesCnnTrainer, maskCoverage, objectCells, TRAINING_PARAM_NAMES } from '../scripts/lib/js-cnn/bn-trainer.js';
import { JsShapesCnn } from '../scripts/lib/js-cnn/network.js';

// The training script's plain-TypeScript network must compute exactly what TF.js computes:
// the same loss and gradients in training mode, and after folding BN the same logits as the
// deployed LayersModel.

const SIZE = 16;
const FILTERS = [4, 6, 8] as const;
const BATCH = 4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

describe('plain-TypeScript training network', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const auxWeight of [0, 0.7]) {
    it(`matches TF.js loss and gradients in training mode (one- and two-object images, auxiliary loss weight ${auxWeight})`, () => {
      const trainer = new BnShapesCnnTrainer(SIZE, FILTERS, 5, BATCH, mulberry32(3));
      // Non-trivial γ and β so their gradients are exercised.
      trainer.params.forEach((p, i) => {
        if (TRAINING_PARAM_NAMES[i]!.includes('bn')) for (let j = 0; j < p.length; j++) p[j] = (p[j] as number) + 0.1 * Math.sin(3 * i + j);
      });
      const samples = [...generateDataset(9, BATCH / 2, { size: SIZE }), ...generateDataset(9, BATCH / 2, { size: SIZE, twoObjects: true })];
      const images = samples.map((s) => toModelInput(s.pixels));
      const grid = SIZE / 4;
      const targets = samples.map((s) => ({ labels: s.masks.map((m) => m.label), coverage: s.masks.map((m) => maskCoverage(m.mask, SIZE, grid)) }));
      const { loss, auxLoss } = trainer.accumulateBatch(images, targets, BATCH, auxWeight);

      const model = buildShapesCnnForTraining(tf, { imageSize: SIZE, numClasses: 5, filters: FILTERS });
      const byName = new Map(TRAINING_PARAM_NAMES.map((n, i) => [n, trainer.params[i]!]));
      for (const w of model.trainableWeights) w.write(tf.tensor(byName.get(w.originalName as (typeof TRAINING_PARAM_NAMES)[number])!, w.shape as number[]));
      const withFeatures = tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, model.getLayer('relu3').output as tf.SymbolicTensor] });
      const [kernel, bias] = model.getLayer('logits').trainableWeights.map((w) => w.read());
      // Soft targets: ½ per object on two-object images.
      const y = tf.tensor2d(targets.map((t) => [0, 1, 2, 3, 4].map((k) => t.labels.filter((l) => l === k).length / t.labels.length)));
      // The auxiliary loss as rows (image, cell, object label, weight) over every object's cells.
      const rows: { cell: number; label: number; weight: number }[] = [];
      targets.forEach((t, b) =>
        t.labels.forEach((label, o) => {
          const cells = objectCells(t.coverage[o]!);
          for (const p of cells) rows.push({ cell: b * grid * grid + p, label, weight: auxWeight / (cells.length * t.labels.length * BATCH) });
        }),
      );
      const x = tf.tensor4d(Float32Array.from(images.flatMap((a) => [...a])), [BATCH, SIZE, SIZE, 3]);
      const { value, grads } = tf.variableGrads(() => {
        const [logits, a] = withFeatures.apply(x, { training: true }) as [tf.Tensor, tf.Tensor];
        const cellFeatures = tf.gather(tf.reshape(a, [BATCH * grid * grid, FILTERS[2]]), rows.map((r) => r.cell));
        const cellLogits = tf.add(tf.matMul(cellFeatures, kernel!), bias!);
        const yCells = tf.oneHot(tf.tensor1d(rows.map((r) => r.label), 'int32'), 5).toFloat();
        const cellLoss = tf.losses.softmaxCrossEntropy(yCells, cellLogits, undefined, undefined, tf.Reduction.NONE);
        const aux = tf.sum(tf.mul(cellLoss, tf.tensor1d(rows.map((r) => r.weight))));
        return tf.add(tf.losses.softmaxCrossEntropy(y, logits), aux) as tf.Scalar;
      });
      expect(Math.abs(value.dataSync()[0]! - (loss + auxLoss) / BATCH)).toBeLessThan(1e-5);
      if (auxWeight === 0) expect(auxLoss).toBe(0);
      for (const w of model.trainableWeights) {
        const i = TRAINING_PARAM_NAMES.indexOf(w.originalName as (typeof TRAINING_PARAM_NAMES)[number]);
        const expected = grads[(w.read() as tf.Variable).name]!.dataSync(); // keyed by the unique variable name
        const scale = Math.max(1e-3, ...Array.from(expected, Math.abs));
        expect(maxAbsDiff(trainer.grads[i]!, expected) / scale, w.originalName).toBeLessThan(1e-4);
      }
    });
  }

  it('folds BN with population statistics into the deployed model, matching TF.js inference-mode BN', async () => {
    const trainer = new BnShapesCnnTrainer(SIZE, FILTERS, 5, BATCH, mulberry32(4));
    const samples = generateDataset(10, BATCH * 3, { size: SIZE });
    const images = samples.map((s) => toModelInput(s.pixels));
    // A few steps of plain gradient descent so γ, β and the statistics are not trivial.
    for (let step = 0; step < 3; step++) {
      const batch = samples.slice(step * BATCH, (step + 1) * BATCH);
      trainer.accumulateBatch(images.slice(step * BATCH, (step + 1) * BATCH), batch.map((s) => ({ labels: [s.label] })));
      trainer.params.forEach((p, i) => p.forEach((v, j) => (p[j] = v - 0.05 * trainer.grads[i]![j]!)));
    }
    const stats = trainer.populationStatistics(images);
    const folded = trainer.foldedParams(stats);

    // Reference: the TF.js training network in inference mode with these statistics as its moving averages.
    const training = buildShapesCnnForTraining(tf, { imageSize: SIZE, numClasses: 5, filters: FILTERS });
    const byName = new Map<string, Float32Array>(TRAINING_PARAM_NAMES.map((n, i) => [n, trainer.params[i]!]));
    stats.forEach((st, l) => {
      byName.set(`bn${l + 1}/moving_mean`, st.mean);
      byName.set(`bn${l + 1}/moving_variance`, st.variance);
    });
    for (const w of training.weights) w.write(tf.tensor(byName.get(w.originalName)!, w.shape as number[]));
    const x = tf.tensor4d(Float32Array.from(images.flatMap((a) => [...a])), [images.length, SIZE, SIZE, 3]);
    const reference = (training.predict(x) as tf.Tensor).dataSync();

    const deployed = buildShapesCnn(tf, { imageSize: SIZE, numClasses: 5, filters: FILTERS });
    deployed.setWeights(folded.map((p, i) => tf.tensor(p, deployed.getWeights()[i]!.shape)));
    const logitsModel = tf.model({ inputs: deployed.inputs, outputs: deployed.getLayer('logits').output as tf.SymbolicTensor });
    const fromDeployed = (logitsModel.predict(x) as tf.Tensor).dataSync();
    expect(maxAbsDiff(fromDeployed, reference)).toBeLessThan(1e-4);

    const js = new JsShapesCnn(SIZE, FILTERS, 5, folded);
    images.forEach((img, b) => {
      expect(maxAbsDiff(js.forward(img), fromDeployed.subarray(b * 5, (b + 1) * 5))).toBeLessThan(1e-5);
    });
  });

  it('measures population statistics as the mean over batches of batch mean and second moment', () => {
    const trainer = new BnShapesCnnTrainer(SIZE, FILTERS, 5, 2, mulberry32(5));
    const images = generateDataset(11, 4, { size: SIZE }).map((s) => toModelInput(s.pixels));
    const [conv1] = trainer.populationStatistics(images);
    // conv1's input is the image itself, so its statistics can be computed directly from the kernel.
    const kernel = trainer.params[0]!;
    const sums = new Float64Array(FILTERS[0]);
    const squares = new Float64Array(FILTERS[0]);
    const n = images.length * SIZE * SIZE;
    for (const img of images) {
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          for (let f = 0; f < FILTERS[0]; f++) {
            let v = 0;
            for (let ky = -1; ky <= 1; ky++) {
              for (let kx = -1; kx <= 1; kx++) {
                const yy = y + ky;
                const xx = x + kx;
                if (yy < 0 || yy >= SIZE || xx < 0 || xx >= SIZE) continue;
                for (let c = 0; c < 3; c++) v += img[(yy * SIZE + xx) * 3 + c]! * kernel[(((ky + 1) * 3 + kx + 1) * 3 + c) * FILTERS[0] + f]!;
              }
            }
            sums[f] = sums[f]! + v;
            squares[f] = squares[f]! + v * v;
          }
        }
      }
    }
    sums.forEach((s, f) => {
      expect(conv1!.mean[f]).toBeCloseTo(s / n, 4);
      expect(conv1!.variance[f]).toBeCloseTo(squares[f]! / n - (s / n) ** 2, 4);
    });
  });
});
