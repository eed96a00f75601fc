/**
 * 2×2, stride-2 max pooling over one NHWC image (even h and w), with its backward pass.
 * The caller owns the argmax buffer, so a batch can keep one per image.
 */
export class MaxPool2 {
  readonly oh: number;
  readonly ow: number;
  /** Elements of one pooled image (= length of its argmax buffer). */
  readonly outSize: number;

  constructor(
    readonly h: number,
    readonly w: number,
    readonly c: number,
  ) {
    this.oh = h / 2;
    this.ow = w / 2;
    this.outSize = this.oh * this.ow * c;
  }

  /** Writes the pooled image and, for each output element, the flat input index that won. */
  forward(input: Float32Array, out: Float32Array, argmax: Int32Array): void {
    const { w, c, oh, ow } = this;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const o = (y * ow + x) * c;
        const i00 = (2 * y * w + 2 * x) * c;
        for (let ch = 0; ch < c; ch++) {
          // Ties resolve to the first candidate in row-major order.
          let best = i00 + ch;
          let cand = i00 + c + ch;
          if ((input[cand] as number) > (input[best] as number)) best = cand;
          cand = i00 + w * c + ch;
          if ((input[cand] as number) > (input[best] as number)) best = cand;
          cand = i00 + w * c + c + ch;
          if ((input[cand] as number) > (input[best] as number)) best = cand;
          out[o + ch] = input[best] as number;
          argmax[o + ch] = best;
        }
      }
    }
  }

  /** Routes each output gradient to the input element that won the max. */
  backward(dOut: Float32Array, argmax: Int32Array, dInput: Float32Array): void {
    dInput.fill(0);
    for (let i = 0; i < argmax.length; i++) {
      const at = argmax[i] as number;
      dInput[at] = (dInput[at] as number) + (dOut[i] as number);
    }
  }
}
