// Seeded initialisers for the benchmark's random-weight networks: timing needs no trained
// weights, but runs must be repeatable, so every layer draws from its own fixed seed.
import * as tf from '@tensorflow/tfjs';

/** A weight initialiser as tfjs-layers' layer options take it. */
export type Initializer = ReturnType<typeof tf.initializers.heNormal>;

/** Hands out consecutive seeds so that each layer's weights are fixed by the network's seed. */
export class SeedSequence {
  private next: number;

  constructor(seed: number) {
    this.next = seed;
  }

  /** He-normal (fan-in, truncated) kernels: keeps activations O(1) through ReLU stacks. */
  heNormal(): Initializer {
    return tf.initializers.heNormal({ seed: this.take() });
  }

  /**
   * He-normal for depthwise kernels [k, k, C, 1]: TF.js counts their fan-in as k·k·C, which
   * would shrink activations by C at every depthwise layer; each output sees only k·k inputs.
   */
  depthwiseHeNormal(): Initializer {
    return tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'truncatedNormal', seed: this.take() });
  }

  /** Glorot-uniform kernels for the classifier head. */
  glorotUniform(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.take() });
  }

  private take(): number {
    this.next += 1;
    return this.next;
  }
}
