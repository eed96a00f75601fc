/**
 * A 3×3, stride-1, 'same'-padded convolution over one NHWC image, as im2col + plain loops,
 * with its backward pass. The kernel layout is TF's [kh, kw, cin, cout] flattened, so
 * weights copy straight into a tf.layers.conv2d. The caller owns the im2col buffer, so a
 * batch can keep one per image for the backward pass.
 */
export class Conv3x3 {
  /** Length of one im2col row: 9·cin. */
  readonly patchSize: number;
  /** Length of the im2col buffer of one image: h·w·9·cin. */
  readonly colSize: number;

  constructor(
    readonly h: number,
    readonly w: number,
    readonly cin: number,
    readonly cout: number,
  ) {
    this.patchSize = 9 * cin;
    this.colSize = h * w * this.patchSize;
  }

  /** Patch element k of position (y, x) is input[y+ky−1, x+kx−1, c] with k = (ky·3 + kx)·cin + c; zero outside. */
  im2col(input: Float32Array, col: Float32Array): void {
    const { h, w, cin, patchSize } = this;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let o = (y * w + x) * patchSize;
        for (let ky = -1; ky <= 1; ky++) {
          const yy = y + ky;
          for (let kx = -1; kx <= 1; kx++) {
            const xx = x + kx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
              col.fill(0, o, o + cin);
            } else {
              const s = (yy * w + xx) * cin;
              for (let c = 0; c < cin; c++) col[o + c] = input[s + c] as number;
            }
            o += cin;
          }
        }
      }
    }
  }

  /** out[h·w, cout] = col·kernel (+ bias when given). */
  forward(col: Float32Array, kernel: Float32Array, bias: Float32Array | null, out: Float32Array): void {
    const { h, w, cout, patchSize: K } = this;
    for (let i = 0; i < h * w; i++) {
      const oi = i * cout;
      for (let j = 0; j < cout; j++) out[oi + j] = bias ? (bias[j] as number) : 0;
      const ci = i * K;
      for (let k = 0; k < K; k++) {
        const a = col[ci + k] as number;
        if (a === 0) continue; // padding and post-ReLU inputs are often exactly zero
        const wk = k * cout;
        for (let j = 0; j < cout; j++) out[oi + j] = (out[oi + j] as number) + a * (kernel[wk + j] as number);
      }
    }
  }

  /**
   * Given dL/d(out), adds dL/d(kernel) into `dKernel` and writes dL/d(input) into `dInput`
   * when given (the im2col transpose, fused with dOut·kernelᵀ).
   */
  backward(col: Float32Array, dOut: Float32Array, kernel: Float32Array, dKernel: Float32Array, dInput: Float32Array | null): void {
    const { h, w, cin, cout, patchSize: K } = this;
    if (dInput) dInput.fill(0);
    for (let i = 0; i < h * w; i++) {
      const oi = i * cout;
      let any = false;
      for (let j = 0; j < cout && !any; j++) any = dOut[oi + j] !== 0;
      if (!any) continue; // max-pooling and ReLU leave many positions without gradient
      const ci = i * K;
      for (let k = 0; k < K; k++) {
        const a = col[ci + k] as number;
        if (a === 0) continue;
        const wk = k * cout;
        for (let j = 0; j < cout; j++) dKernel[wk + j] = (dKernel[wk + j] as number) + a * (dOut[oi + j] as number);
      }
      if (!dInput) continue;
      const y = Math.floor(i / w);
      const x = i - y * w;
      let k = 0;
      for (let ky = -1; ky <= 1; ky++) {
        const yy = y + ky;
        for (let kx = -1; kx <= 1; kx++) {
          const xx = x + kx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
            k += cin;
            continue;
          }
          const d = (yy * w + xx) * cin;
          for (let c = 0; c < cin; c++, k++) {
            const wk = k * cout;
            let s = 0;
            for (let j = 0; j < cout; j++) s += (dOut[oi + j] as number) * (kernel[wk + j] as number);
            dInput[d + c] = (dInput[d + c] as number) + s;
          }
        }
      }
    }
  }
}

/** In-place ReLU. */
export function relu(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) if ((x[i] as number) < 0) x[i] = 0;
}

/** Zeroes gradient entries where the ReLU output was zero (inactive units pass no gradient). */
export function maskRelu(grad: Float32Array, activation: Float32Array): void {
  for (let i = 0; i < grad.length; i++) if ((activation[i] as number) <= 0) grad[i] = 0;
}
