/** Adam (Kingma & Ba 2015) with bias correction, the same update rule as tf.train.adam. */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    params: readonly Float32Array[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  step(params: readonly Float32Array[], grads: readonly Float32Array[], learningRate: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    params.forEach((p, i) => {
      const g = grads[i] as Float32Array;
      const m = this.m[i] as Float32Array;
      const v = this.v[i] as Float32Array;
      for (let j = 0; j < p.length; j++) {
        const gj = g[j] as number;
        const mj = this.beta1 * (m[j] as number) + (1 - this.beta1) * gj;
        const vj = this.beta2 * (v[j] as number) + (1 - this.beta2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        p[j] = (p[j] as number) - (learningRate * (mj / c1)) / (Math.sqrt(vj / c2) + this.epsilon);
      }
    });
  }

  /** Optimizer state for a training checkpoint. */
  state(): { t: number; m: number[][]; v: number[][] } {
    return { t: this.t, m: this.m.map((a) => Array.from(a)), v: this.v.map((a) => Array.from(a)) };
  }

  /** Restores a state from {@link state}. */
  restore(state: { t: number; m: number[][]; v: number[][] }): void {
    this.t = state.t;
    state.m.forEach((a, i) => this.m[i]?.set(a));
    state.v.forEach((a, i) => this.v[i]?.set(a));
  }
}
