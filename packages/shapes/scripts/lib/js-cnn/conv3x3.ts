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

  /**
   * out[h·w, cout] = col·kernel (+ bias when given). Two positions × four output channels
   * are summed in registers (k ascending, each partial sum rounded to float32 as a store into
   * `out` would round it), so the result is bit-identical to accumulating in `out` while
   * touching memory far less often. Skipping a zero input only skips adding ±0.
   */
  forward(col: Float32Array, kernel: Float32Array, bias: Float32Array | null, out: Float32Array): void {
    const { h, w, cout, patchSize: K } = this;
    const fround = Math.fround;
    const P = h * w;
    const j4 = cout - (cout % 4);
    let i = 0;
    for (; i + 2 <= P; i += 2) {
      const oi = i * cout;
      const ci = i * K;
      for (let j = 0; j < j4; j += 4) {
        const b0 = bias ? (bias[j] as number) : 0;
        const b1 = bias ? (bias[j + 1] as number) : 0;
        const b2 = bias ? (bias[j + 2] as number) : 0;
        const b3 = bias ? (bias[j + 3] as number) : 0;
        let s0 = b0;
        let s1 = b1;
        let s2 = b2;
        let s3 = b3;
        let t0 = b0;
        let t1 = b1;
        let t2 = b2;
        let t3 = b3;
        for (let k = 0, wk = j; k < K; k++, wk += cout) {
          const a = col[ci + k] as number;
          const c = col[ci + K + k] as number;
          if (a === 0 && c === 0) continue; // padding and post-ReLU inputs are often exactly zero
          const w0 = kernel[wk] as number;
          const w1 = kernel[wk + 1] as number;
          const w2 = kernel[wk + 2] as number;
          const w3 = kernel[wk + 3] as number;
          s0 = fround(s0 + a * w0);
          s1 = fround(s1 + a * w1);
          s2 = fround(s2 + a * w2);
          s3 = fround(s3 + a * w3);
          t0 = fround(t0 + c * w0);
          t1 = fround(t1 + c * w1);
          t2 = fround(t2 + c * w2);
          t3 = fround(t3 + c * w3);
        }
        out[oi + j] = s0;
        out[oi + j + 1] = s1;
        out[oi + j + 2] = s2;
        out[oi + j + 3] = s3;
        out[oi + cout + j] = t0;
        out[oi + cout + j + 1] = t1;
        out[oi + cout + j + 2] = t2;
        out[oi + cout + j + 3] = t3;
      }
      for (let j = j4; j < cout; j++) {
        this.forwardOne(col, kernel, bias, out, i, j);
        this.forwardOne(col, kernel, bias, out, i + 1, j);
      }
    }
    for (; i < P; i++) for (let j = 0; j < cout; j++) this.forwardOne(col, kernel, bias, out, i, j);
  }

  /** One output element of forward (the channels and positions left over by its blocks). */
  private forwardOne(col: Float32Array, kernel: Float32Array, bias: Float32Array | null, out: Float32Array, i: number, j: number): void {
    const { cout, patchSize: K } = this;
    let s = bias ? (bias[j] as number) : 0;
    for (let k = 0; k < K; k++) {
      const a = col[i * K + k] as number;
      if (a !== 0) s = Math.fround(s + a * (kernel[k * cout + j] as number));
    }
    out[i * cout + j] = s;
  }

  /** dKernel[k, j] += Σ_i col[i, k]·dOut[i, j] for one element (what backward's blocks leave over). */
  private kernelGradOne(col: Float32Array, dOut: Float32Array, dKernel: Float32Array, k: number, j: number): void {
    const { cout, patchSize: K } = this;
    const P = this.h * this.w;
    let s = dKernel[k * cout + j] as number;
    for (let i = 0; i < P; i++) {
      const a = col[i * K + k] as number;
      if (a !== 0) s = Math.fround(s + a * (dOut[i * cout + j] as number));
    }
    dKernel[k * cout + j] = s;
  }

  /**
   * Given dL/d(out), adds dL/d(kernel) into `dKernel` and writes dL/d(input) into `dInput`
   * when given (the im2col transpose, fused with dOut·kernelᵀ).
   *
   * dKernel[k, j] += Σ_i col[i, k]·dOut[i, j] is summed over positions i in ascending order,
   * four channels j at a time in registers with float32 rounding after each addition, which
   * gives bit for bit what adding each term into the Float32Array would.
   */
  backward(col: Float32Array, dOut: Float32Array, kernel: Float32Array, dKernel: Float32Array, dInput: Float32Array | null): void {
    const { h, w, cin, cout, patchSize: K } = this;
    const fround = Math.fround;
    const P = h * w;
    const j4 = cout - (cout % 4);
    let k = 0;
    // Two rows k, k + 1 of dKernel × four channels in registers share each load of dOut.
    for (; k + 2 <= K; k += 2) {
      const wk = k * cout;
      for (let j = 0; j < j4; j += 4) {
        let s0 = dKernel[wk + j] as number;
        let s1 = dKernel[wk + j + 1] as number;
        let s2 = dKernel[wk + j + 2] as number;
        let s3 = dKernel[wk + j + 3] as number;
        let t0 = dKernel[wk + cout + j] as number;
        let t1 = dKernel[wk + cout + j + 1] as number;
        let t2 = dKernel[wk + cout + j + 2] as number;
        let t3 = dKernel[wk + cout + j + 3] as number;
        for (let i = 0, ci = k, oi = j; i < P; i++, ci += K, oi += cout) {
          const a = col[ci] as number;
          const c = col[ci + 1] as number;
          if (a === 0 && c === 0) continue;
          const d0 = dOut[oi] as number;
          const d1 = dOut[oi + 1] as number;
          const d2 = dOut[oi + 2] as number;
          const d3 = dOut[oi + 3] as number;
          s0 = fround(s0 + a * d0);
          s1 = fround(s1 + a * d1);
          s2 = fround(s2 + a * d2);
          s3 = fround(s3 + a * d3);
          t0 = fround(t0 + c * d0);
          t1 = fround(t1 + c * d1);
          t2 = fround(t2 + c * d2);
          t3 = fround(t3 + c * d3);
        }
        dKernel[wk + j] = s0;
        dKernel[wk + j + 1] = s1;
        dKernel[wk + j + 2] = s2;
        dKernel[wk + j + 3] = s3;
        dKernel[wk + cout + j] = t0;
        dKernel[wk + cout + j + 1] = t1;
        dKernel[wk + cout + j + 2] = t2;
        dKernel[wk + cout + j + 3] = t3;
      }
      for (let j = j4; j < cout; j++) {
        this.kernelGradOne(col, dOut, dKernel, k, j);
        this.kernelGradOne(col, dOut, dKernel, k + 1, j);
      }
    }
    for (; k < K; k++) for (let j = 0; j < cout; j++) this.kernelGradOne(col, dOut, dKernel, k, j);
    if (!dInput) return;
    dInput.fill(0);
    for (let i = 0; i < P; i++) {
      const oi = i * cout;
      let any = false;
      for (let j = 0; j < cout && !any; j++) any = dOut[oi + j] !== 0;
      if (!any) continue; // max-pooling and ReLU leave many positions without gradient
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
          // dInput[d + c] += Σ_j dOut[i, j]·kernel[k + c, j], j ascending in a double as a plain
          // loop would sum it; four input channels share each load of dOut[i, j].
          let c = 0;
          for (; c + 4 <= cin; c += 4) {
            const w0 = (k + c) * cout;
            const w1 = w0 + cout;
            const w2 = w1 + cout;
            const w3 = w2 + cout;
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            for (let j = 0; j < cout; j++) {
              const g = dOut[oi + j] as number;
              s0 += g * (kernel[w0 + j] as number);
              s1 += g * (kernel[w1 + j] as number);
              s2 += g * (kernel[w2 + j] as number);
              s3 += g * (kernel[w3 + j] as number);
            }
            dInput[d + c] = (dInput[d + c] as number) + s0;
            dInput[d + c + 1] = (dInput[d + c + 1] as number) + s1;
            dInput[d + c + 2] = (dInput[d + c + 2] as number) + s2;
            dInput[d + c + 3] = (dInput[d + c + 3] as number) + s3;
          }
          for (; c < cin; c++) {
            const wk = (k + c) * cout;
            let s = 0;
            for (let j = 0; j < cout; j++) s += (dOut[oi + j] as number) * (kernel[wk + j] as number);
            dInput[d + c] = (dInput[d + c] as number) + s;
          }
          k += cin;
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
