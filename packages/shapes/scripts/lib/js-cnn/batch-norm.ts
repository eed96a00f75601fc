/**
 * Batch normalisation over the channel (last) axis of a batch of NHWC activations, training
 * mode (statistics of the current batch). Used only while training; the exported model has
 * it folded into the preceding convolution with population statistics measured after
 * training (see BnShapesCnnTrainer.populationStatistics). There are deliberately no running
 * averages: with the weights still moving fast, momentum averages lagged so far behind that
 * the folded model scored 45 % where the training network scored 88 %.
 */
export class BatchNorm {
  /** Mean and biased variance of each channel in the last forward batch. */
  readonly batchMean: Float64Array;
  readonly batchVar: Float64Array;
  private readonly invStd: Float32Array;
  private xhat = new Float32Array(0);

  constructor(
    readonly channels: number,
    readonly epsilon = 1e-3,
  ) {
    this.batchMean = new Float64Array(channels);
    this.batchVar = new Float64Array(channels);
    this.invStd = new Float32Array(channels);
  }

  /** y = γ·(x − mean)/√(var + ε) + β with batch statistics; x is [n, channels] flattened. */
  forward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array): void {
    const C = this.channels;
    const n = x.length / C;
    if (this.xhat.length !== x.length) this.xhat = new Float32Array(x.length);
    const mean = this.batchMean.fill(0);
    const sq = this.batchVar.fill(0);
    for (let i = 0; i < x.length; i++) mean[i % C] = (mean[i % C] as number) + (x[i] as number);
    for (let c = 0; c < C; c++) mean[c] = (mean[c] as number) / n;
    for (let i = 0; i < x.length; i++) {
      const d = (x[i] as number) - (mean[i % C] as number);
      sq[i % C] = (sq[i % C] as number) + d * d;
    }
    for (let c = 0; c < C; c++) {
      sq[c] = (sq[c] as number) / n; // now the biased variance
      this.invStd[c] = 1 / Math.sqrt((sq[c] as number) + this.epsilon);
    }
    for (let i = 0; i < x.length; i++) {
      const c = i % C;
      const h = ((x[i] as number) - (mean[c] as number)) * (this.invStd[c] as number);
      this.xhat[i] = h;
      y[i] = (gamma[c] as number) * h + (beta[c] as number);
    }
  }

  /** Given dL/dy of the last forward, adds dL/dγ and dL/dβ and writes dL/dx. */
  backward(dy: Float32Array, gamma: Float32Array, dGamma: Float32Array, dBeta: Float32Array, dx: Float32Array): void {
    const C = this.channels;
    const n = dy.length / C;
    const sumDy = new Float64Array(C);
    const sumDyXhat = new Float64Array(C);
    for (let i = 0; i < dy.length; i++) {
      const c = i % C;
      const g = dy[i] as number;
      sumDy[c] = (sumDy[c] as number) + g;
      sumDyXhat[c] = (sumDyXhat[c] as number) + g * (this.xhat[i] as number);
    }
    for (let c = 0; c < C; c++) {
      dBeta[c] = (dBeta[c] as number) + (sumDy[c] as number);
      dGamma[c] = (dGamma[c] as number) + (sumDyXhat[c] as number);
    }
    for (let i = 0; i < dy.length; i++) {
      const c = i % C;
      const scale = ((gamma[c] as number) * (this.invStd[c] as number)) / n;
      dx[i] = scale * (n * (dy[i] as number) - (sumDy[c] as number) - (this.xhat[i] as number) * (sumDyXhat[c] as number));
    }
  }
}
