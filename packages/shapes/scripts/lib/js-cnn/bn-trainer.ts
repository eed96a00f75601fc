import type { Rng } from '../../../src/index.js';
import { foldBatchNorm } from '../build-shapes-cnn.js';
import { BatchNorm } from './batch-norm.js';
import { Conv3x3, maskRelu, relu } from './conv3x3.js';
import { MaxPool2 } from './maxpool2.js';
import { denseOnGap } from './network.js';

/** Trainable tensors of the training-time network, in this order (see foldedParams for the deployed ones). */
export const TRAINING_PARAM_NAMES = [
  'conv1/kernel',
  'bn1/gamma',
  'bn1/beta',
  'conv2/kernel',
  'bn2/gamma',
  'bn2/beta',
  'last_conv/kernel',
  'bn3/gamma',
  'bn3/beta',
  'logits/kernel',
  'logits/bias',
] as const;

/** Standard normal via Box–Muller (deterministic given the rng). */
function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * What one training image should produce. The classification target spreads its probability
 * evenly over `labels` (one object: one-hot; two objects: ½ each), so on two-object images
 * the network learns to rank both classes on top.
 *
 * The optional auxiliary location loss is a training aid: the cross-entropy of the CAM
 * logits (the dense layer applied to a single last_conv cell) in the cells each object
 * covers, averaged over those cells and over the objects, times a weight. It gives every
 * object cell its own label signal instead of one per image through the average pool, which
 * shortens the long plateau at chance level that this GAP network otherwise shows and moves
 * the CAM's peak inside the object. The deployed model's architecture is unchanged.
 */
export interface TrainingTarget {
  /** Class of each object in the image (one or two). */
  readonly labels: readonly number[];
  /** Per object (same order): its coverage of each last_conv cell, h·w values in [0, 1] (see maskCoverage). */
  readonly coverage?: readonly Float32Array[];
}

/** Cells counted as object: coverage ≥ 0.5, or the most covered cell when none is. */
export function objectCells(coverage: Float32Array): number[] {
  const cells: number[] = [];
  let best = 0;
  coverage.forEach((c, p) => {
    if (c >= 0.5) cells.push(p);
    if (c > (coverage[best] as number)) best = p;
  });
  return cells.length > 0 ? cells : [best];
}

/**
 * Fraction of each cell of a grid×grid partition covered by a size×size binary mask
 * (size must be a multiple of grid).
 *
 * @example
 * const coverage = maskCoverage(sample.masks[0].mask, 32, 8); // 64 values for the 8×8 last_conv
 */
export function maskCoverage(mask: Uint8Array, size: number, grid: number): Float32Array {
  const cell = size / grid;
  const out = new Float32Array(grid * grid);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (mask[y * size + x]) {
        const p = Math.floor(y / cell) * grid + Math.floor(x / cell);
        out[p] = (out[p] as number) + 1 / (cell * cell);
      }
    }
  }
  return out;
}

/** Per-channel statistics of one BN input. */
export interface BnStatistics {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/** Buffers of one conv stage for a whole batch. */
interface Stage {
  conv: Conv3x3;
  bn: BatchNorm;
  pool: MaxPool2 | null;
  /** im2col of every image: batch × conv.colSize. */
  col: Float32Array;
  /** Conv output, then (in place) BN + ReLU output: batch × h·w·cout. */
  act: Float32Array;
  pre: Float32Array;
  pooled: Float32Array;
  argmax: Int32Array;
  dAct: Float32Array;
  dPre: Float32Array;
}

/**
 * Trains the shapes CNN with batch normalisation after each convolution (conv → BN → ReLU),
 * in plain TypeScript. Without BN (and the curriculum and auxiliary loss of train-js.ts)
 * the GAP network sat at chance level for thousands of images. BN is a training aid only:
 * foldedParams() merges it into the convolutions' kernels and biases, giving exactly the
 * deployed architecture (buildShapesCnn: conv with bias → ReLU). Gradients are checked
 * against TF.js (tf.layers.batchNormalization in training mode) in test/js-cnn.test.ts.
 */
export class BnShapesCnnTrainer {
  readonly params: Float32Array[];
  readonly grads: Float32Array[];
  private readonly stages: Stage[];
  private readonly gap: Float32Array;
  private readonly logits: Float32Array;

  constructor(
    readonly size: number,
    readonly filters: readonly [number, number, number],
    readonly numClasses: number,
    readonly batchSize: number,
    rng: Rng,
  ) {
    const [f1, f2, f3] = filters;
    if (size % 4 !== 0) throw new Error('BnShapesCnnTrainer: size must be a multiple of 4');
    const heNormal = (fanIn: number, n: number) => Float32Array.from({ length: n }, () => normal(rng) * Math.sqrt(2 / fanIn));
    const limit = Math.sqrt(6 / (f3 + numClasses));
    const ones = (n: number) => new Float32Array(n).fill(1);
    this.params = [
      heNormal(27, 27 * f1),
      ones(f1),
      new Float32Array(f1),
      heNormal(9 * f1, 9 * f1 * f2),
      ones(f2),
      new Float32Array(f2),
      heNormal(9 * f2, 9 * f2 * f3),
      ones(f3),
      new Float32Array(f3),
      Float32Array.from({ length: f3 * numClasses }, () => (2 * rng() - 1) * limit),
      new Float32Array(numClasses),
    ];
    this.grads = this.params.map((p) => new Float32Array(p.length));
    const B = batchSize;
    const stage = (s: number, cin: number, cout: number, pooled: boolean): Stage => {
      const conv = new Conv3x3(s, s, cin, cout);
      const pool = pooled ? new MaxPool2(s, s, cout) : null;
      const actSize = B * s * s * cout;
      return {
        conv,
        bn: new BatchNorm(cout),
        pool,
        col: new Float32Array(B * conv.colSize),
        act: new Float32Array(actSize),
        pre: new Float32Array(actSize),
        pooled: new Float32Array(pool ? B * pool.outSize : 0),
        argmax: new Int32Array(pool ? B * pool.outSize : 0),
        dAct: new Float32Array(actSize),
        dPre: new Float32Array(actSize),
      };
    };
    this.stages = [stage(size, 3, f1, true), stage(size / 2, f1, f2, true), stage(size / 4, f2, f3, false)];
    this.gap = new Float32Array(B * f3);
    this.logits = new Float32Array(B * numClasses);
  }

  private p(i: number): Float32Array {
    return this.params[i] as Float32Array;
  }

  private g(i: number): Float32Array {
    return this.grads[i] as Float32Array;
  }

  /** Training-mode forward of the three conv stages for one batch (exactly `batchSize` images). */
  private forwardStages(images: readonly Float32Array[]): void {
    const B = this.batchSize;
    // conv → BN (batch statistics) → ReLU → pool, three times.
    let inputs: Float32Array[] = images as Float32Array[];
    this.stages.forEach((st, l) => {
      const { conv, pool } = st;
      const outPer = conv.h * conv.w * conv.cout;
      for (let b = 0; b < B; b++) {
        const col = st.col.subarray(b * conv.colSize, (b + 1) * conv.colSize);
        conv.im2col(inputs[b] as Float32Array, col);
        conv.forward(col, this.p(3 * l), null, st.pre.subarray(b * outPer, (b + 1) * outPer));
      }
      st.bn.forward(st.pre, this.p(3 * l + 1), this.p(3 * l + 2), st.act);
      relu(st.act);
      if (pool) {
        const next: Float32Array[] = [];
        for (let b = 0; b < B; b++) {
          const out = st.pooled.subarray(b * pool.outSize, (b + 1) * pool.outSize);
          pool.forward(st.act.subarray(b * outPer, (b + 1) * outPer), out, st.argmax.subarray(b * pool.outSize, (b + 1) * pool.outSize));
          next.push(out);
        }
        inputs = next;
      }
    });
  }

  /**
   * Population statistics of each BN input for the current weights, measured over
   * `images` (a multiple of batchSize) in training mode, batch by batch ("precise BN"):
   * mean = E[batch mean], variance = E[batch variance + batch mean²] − mean².
   * These are what the folded, deployed model must use.
   */
  populationStatistics(images: readonly Float32Array[]): BnStatistics[] {
    const B = this.batchSize;
    if (images.length === 0 || images.length % B !== 0) throw new Error(`populationStatistics: need a positive multiple of ${B} images`);
    const sums = this.stages.map((st) => ({ mean: new Float64Array(st.conv.cout), square: new Float64Array(st.conv.cout) }));
    const batches = images.length / B;
    for (let b = 0; b < images.length; b += B) {
      this.forwardStages(images.slice(b, b + B));
      this.stages.forEach((st, l) => {
        const sum = sums[l] as { mean: Float64Array; square: Float64Array };
        st.bn.batchMean.forEach((m, c) => {
          sum.mean[c] = (sum.mean[c] as number) + m / batches;
          sum.square[c] = (sum.square[c] as number) + ((st.bn.batchVar[c] as number) + m * m) / batches;
        });
      });
    }
    return sums.map(({ mean, square }) => ({
      mean: Float32Array.from(mean),
      variance: Float32Array.from(square, (sq, c) => Math.max(0, sq - (mean[c] as number) ** 2)),
    }));
  }

  /**
   * Forward and backward over one batch (exactly `batchSize` images) with softmax
   * cross-entropy averaged over `lossBatch` images (default: this batch; data-parallel
   * workers pass the global batch size so their gradients sum to the global mean); writes
   * the gradients (they are not accumulated across calls). BN uses this batch's statistics.
   * Returns the summed classification loss, the summed auxiliary loss (see TrainingTarget;
   * off unless `auxWeight` > 0, which needs every target's coverage) and the number of
   * images whose top-1 class is one of their objects.
   */
  accumulateBatch(
    images: readonly Float32Array[],
    targets: readonly TrainingTarget[],
    lossBatch = this.batchSize,
    auxWeight = 0,
  ): { loss: number; auxLoss: number; correct: number } {
    const B = this.batchSize;
    if (images.length !== B || targets.length !== B) throw new Error(`accumulateBatch: expected ${B} images`);
    for (const g of this.grads) g.fill(0);

    this.forwardStages(images);

    // Head and loss.
    const last = this.stages[2] as Stage;
    const C = this.filters[2];
    const K = this.numClasses;
    const perImage = last.conv.h * last.conv.w * C;
    const positions = last.conv.h * last.conv.w;
    const dense = this.p(9);
    const dDense = this.g(9);
    const dBias = this.g(10);
    let loss = 0;
    let auxLoss = 0;
    let correct = 0;
    const cellLogits = new Float32Array(K);
    const target = new Float32Array(K);
    for (let b = 0; b < B; b++) {
      const logits = this.logits.subarray(b * K, (b + 1) * K);
      const gap = this.gap.subarray(b * C, (b + 1) * C);
      denseOnGap(last.act.subarray(b * perImage, (b + 1) * perImage), C, dense, this.p(10), logits, gap);
      const { labels, coverage } = targets[b] as TrainingTarget;
      target.fill(0);
      for (const l of labels) target[l] = (target[l] as number) + 1 / labels.length;
      let max = -Infinity;
      let argmax = 0;
      for (let k = 0; k < K; k++) {
        if ((logits[k] as number) > max) {
          max = logits[k] as number;
          argmax = k;
        }
      }
      if (labels.includes(argmax)) correct++;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp((logits[k] as number) - max);
      // Cross-entropy with the (possibly soft) target: log Σexp(z) − Σ t·z.
      loss += Math.log(sum);
      for (let k = 0; k < K; k++) loss -= (target[k] as number) * ((logits[k] as number) - max);
      // dL/dlogits of the mean loss, then back through the dense layer and the GAP.
      const dLogits = new Float32Array(K);
      for (let k = 0; k < K; k++) dLogits[k] = (Math.exp((logits[k] as number) - max) / sum - (target[k] as number)) / lossBatch;
      for (let k = 0; k < K; k++) dBias[k] = (dBias[k] as number) + (dLogits[k] as number);
      for (let j = 0; j < C; j++) {
        let dGap = 0;
        for (let k = 0; k < K; k++) {
          dDense[j * K + k] = (dDense[j * K + k] as number) + (gap[j] as number) * (dLogits[k] as number);
          dGap += (dense[j * K + k] as number) * (dLogits[k] as number);
        }
        const spread = dGap / positions;
        for (let p = 0; p < positions; p++) last.dAct[b * perImage + p * C + j] = spread;
      }
      if (auxWeight > 0) {
        if (coverage === undefined || coverage.length !== labels.length) throw new Error('accumulateBatch: the auxiliary loss needs coverage per object');
        labels.forEach((label, o) => {
          const cells = objectCells(coverage[o] as Float32Array);
          const share = auxWeight / (cells.length * labels.length);
          const scale = share / lossBatch;
          for (const p of cells) {
            // The CAM logits of cell p: the dense layer applied to that cell's activation.
            const a = last.act.subarray(b * perImage + p * C, b * perImage + (p + 1) * C);
            let cellMax = -Infinity;
            for (let k = 0; k < K; k++) {
              let z = this.p(10)[k] as number;
              for (let j = 0; j < C; j++) z += (a[j] as number) * (dense[j * K + k] as number);
              cellLogits[k] = z;
              cellMax = Math.max(cellMax, z);
            }
            let cellSum = 0;
            for (let k = 0; k < K; k++) cellSum += Math.exp((cellLogits[k] as number) - cellMax);
            auxLoss += share * (Math.log(cellSum) - ((cellLogits[label] as number) - cellMax));
            for (let k = 0; k < K; k++) {
              const dz = scale * (Math.exp((cellLogits[k] as number) - cellMax) / cellSum - (k === label ? 1 : 0));
              dBias[k] = (dBias[k] as number) + dz;
              for (let j = 0; j < C; j++) {
                dDense[j * K + k] = (dDense[j * K + k] as number) + (a[j] as number) * dz;
                const at = b * perImage + p * C + j;
                last.dAct[at] = (last.dAct[at] as number) + (dense[j * K + k] as number) * dz;
              }
            }
          }
        });
      }
    }

    // Backward through the stages, last to first.
    for (let l = 2; l >= 0; l--) {
      const st = this.stages[l] as Stage;
      const { conv } = st;
      const outPer = conv.h * conv.w * conv.cout;
      maskRelu(st.dAct, st.act);
      st.bn.backward(st.dAct, this.p(3 * l + 1), this.g(3 * l + 1), this.g(3 * l + 2), st.dPre);
      const below = l > 0 ? (this.stages[l - 1] as Stage) : null;
      const belowPool = below?.pool ?? null;
      const belowOut = below ? below.conv.h * below.conv.w * below.conv.cout : 0;
      const dPooled = belowPool ? new Float32Array(belowPool.outSize) : null;
      for (let b = 0; b < B; b++) {
        const col = st.col.subarray(b * conv.colSize, (b + 1) * conv.colSize);
        conv.backward(col, st.dPre.subarray(b * outPer, (b + 1) * outPer), this.p(3 * l), this.g(3 * l), dPooled);
        if (below && belowPool && dPooled) {
          belowPool.backward(
            dPooled,
            below.argmax.subarray(b * belowPool.outSize, (b + 1) * belowPool.outSize),
            below.dAct.subarray(b * belowOut, (b + 1) * belowOut),
          );
        }
      }
    }
    return { loss, auxLoss, correct };
  }

  /**
   * The deployed model's parameters (PARAM_NAMES order): each BN folded into its conv with
   * population statistics (from populationStatistics), kernel' = kernel·γ/√(var+ε) and
   * bias' = β − mean·γ/√(var+ε).
   */
  foldedParams(stats: readonly BnStatistics[]): Float32Array[] {
    const out: Float32Array[] = [];
    this.stages.forEach((st, l) => {
      const { mean, variance } = stats[l] as { mean: Float32Array; variance: Float32Array };
      const { kernel, bias } = foldBatchNorm(this.p(3 * l), this.p(3 * l + 1), this.p(3 * l + 2), mean, variance, st.bn.epsilon);
      out.push(kernel, bias);
    });
    out.push(this.p(9).slice(), this.p(10).slice());
    return out;
  }
}
