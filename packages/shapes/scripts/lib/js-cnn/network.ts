import { Conv3x3, relu } from './conv3x3.js';
import { MaxPool2 } from './maxpool2.js';

/**
 * Names of the deployed model's tensors in TF.js order (LayersModel.getWeights() of
 * buildShapesCnn), so `params[i]` can be handed to setWeights directly.
 */
export const PARAM_NAMES = [
  'conv1/kernel',
  'conv1/bias',
  'conv2/kernel',
  'conv2/bias',
  'last_conv/kernel',
  'last_conv/bias',
  'logits/kernel',
  'logits/bias',
] as const;

/**
 * Inference of the deployed shapes CNN (same architecture and math as buildShapesCnn) in
 * plain TypeScript, one image at a time; the trainer uses it to score the folded model on
 * the validation images without a TF.js round trip.
 */
export class JsShapesCnn {
  private readonly conv1: Conv3x3;
  private readonly pool1: MaxPool2;
  private readonly conv2: Conv3x3;
  private readonly pool2: MaxPool2;
  private readonly last: Conv3x3;
  private readonly col: Float32Array;
  private readonly argmax: Int32Array;
  private readonly a1: Float32Array;
  private readonly p1: Float32Array;
  private readonly a2: Float32Array;
  private readonly p2: Float32Array;
  private readonly a3: Float32Array;
  private readonly logits: Float32Array;

  /** `params` in PARAM_NAMES order. */
  constructor(
    readonly size: number,
    readonly filters: readonly [number, number, number],
    readonly numClasses: number,
    readonly params: readonly Float32Array[],
  ) {
    const [f1, f2, f3] = filters;
    const s = size;
    this.conv1 = new Conv3x3(s, s, 3, f1);
    this.pool1 = new MaxPool2(s, s, f1);
    this.conv2 = new Conv3x3(s / 2, s / 2, f1, f2);
    this.pool2 = new MaxPool2(s / 2, s / 2, f2);
    this.last = new Conv3x3(s / 4, s / 4, f2, f3);
    this.col = new Float32Array(Math.max(this.conv1.colSize, this.conv2.colSize, this.last.colSize));
    this.argmax = new Int32Array(this.pool1.outSize);
    this.a1 = new Float32Array(s * s * f1);
    this.p1 = new Float32Array(this.pool1.outSize);
    this.a2 = new Float32Array((s / 2) * (s / 2) * f2);
    this.p2 = new Float32Array(this.pool2.outSize);
    this.a3 = new Float32Array((s / 4) * (s / 4) * f3);
    this.logits = new Float32Array(numClasses);
  }

  private p(i: number): Float32Array {
    return this.params[i] as Float32Array;
  }

  /** Logits of one image (size·size·3 floats, NHWC RGB in [0, 1]); returns an internal buffer. */
  forward(x: Float32Array): Float32Array {
    const stage = (conv: Conv3x3, input: Float32Array, k: number, out: Float32Array) => {
      conv.im2col(input, this.col);
      conv.forward(this.col, this.p(k), this.p(k + 1), out);
      relu(out);
    };
    stage(this.conv1, x, 0, this.a1);
    this.pool1.forward(this.a1, this.p1, this.argmax);
    stage(this.conv2, this.p1, 2, this.a2);
    this.pool2.forward(this.a2, this.p2, this.argmax);
    stage(this.last, this.p2, 4, this.a3);
    return denseOnGap(this.a3, this.filters[2], this.p(6), this.p(7), this.logits);
  }

  /** Index of the largest logit of one image. */
  predict(x: Float32Array): number {
    const logits = this.forward(x);
    let best = 0;
    for (let k = 1; k < logits.length; k++) if ((logits[k] as number) > (logits[best] as number)) best = k;
    return best;
  }
}

/** logits = mean over positions of `a` ([positions, c]) · kernel [c, K] + bias; `gap` receives the mean when given. */
export function denseOnGap(
  a: Float32Array,
  c: number,
  kernel: Float32Array,
  bias: Float32Array,
  logits: Float32Array,
  gap: Float32Array = new Float32Array(c),
): Float32Array {
  const positions = a.length / c;
  gap.fill(0);
  for (let i = 0; i < a.length; i++) gap[i % c] = (gap[i % c] as number) + (a[i] as number);
  for (let j = 0; j < c; j++) gap[j] = (gap[j] as number) / positions;
  const K = logits.length;
  for (let k = 0; k < K; k++) {
    let s = bias[k] as number;
    for (let j = 0; j < c; j++) s += (gap[j] as number) * (kernel[j * K + k] as number);
    logits[k] = s;
  }
  return logits;
}
