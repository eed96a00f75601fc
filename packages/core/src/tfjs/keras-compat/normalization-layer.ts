import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];

/**
 * Keras's `backend.epsilon()`. Keras 2 and Keras 3 both floor the standard deviation with
 * it, so a channel whose variance is 0 divides by 1e-7 instead of by 0.
 */
export const KERAS_EPSILON = 1e-7;

/** The config a Keras `Normalization` layer serialises, after TF.js camel-cases its keys. */
export interface KerasNormalizationArgs extends LayerArgs {
  /** The axes that keep their own statistics: an int, a list, or null for one global mean. */
  axis?: number | number[] | null;
  /** Fixed statistics given to the constructor; when absent they are weights read from the weight file. */
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  /** Undo the normalisation instead: mean + x·std. */
  invert?: boolean;
}

function asList(value: number | number[] | null | undefined): number[] | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value : [value];
}

/**
 * Keras's `Normalization` preprocessing layer, which TF.js 4.22 does not have (EfficientNet,
 * EfficientNetV2 and ConvNeXt put one right after their input). It computes
 * (x − mean) / max(√variance, 1e-7) per kept axis, exactly as Keras does, with the mean and
 * variance either fixed in the config or loaded as non-trainable weights (`mean`, `variance`
 * and the unused `count`, which the weight file also carries).
 *
 * @example
 * registerKerasLayers(); // lets tf.loadLayersModel build `Normalization` layers
 * const layer = new KerasNormalization({ axis: -1, mean: [0.5, 0.5, 0.5], variance: [0.25, 0.25, 0.25] });
 * layer.apply(tf.ones([1, 2, 2, 3])); // all 1
 */
export class KerasNormalization extends tf.layers.Layer {
  /** The name Keras writes in `class_name`: TF.js's registry looks classes up by it. */
  static readonly className = 'Normalization';

  private readonly axisConfig: number[] | null;
  private readonly fixedMean: number[] | null;
  private readonly fixedVariance: number[] | null;
  private readonly invert: boolean;
  private broadcastShape: number[] = [];
  private meanWeight: tf.LayerVariable | null = null;
  private varianceWeight: tf.LayerVariable | null = null;

  constructor(args: KerasNormalizationArgs = {}) {
    super(args);
    // Keras's default axis is -1 (one statistic per channel); an explicit null means one for all.
    this.axisConfig = args.axis === undefined ? [-1] : asList(args.axis);
    this.fixedMean = asList(args.mean);
    this.fixedVariance = asList(args.variance);
    this.invert = args.invert ?? false;
    if ((this.fixedMean === null) !== (this.fixedVariance === null)) {
      throw new Error(`Normalization layer ${this.name}: give both mean and variance or neither`);
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const rank = shape.length;
    const kept = (this.axisConfig ?? []).map((a) => (a < 0 ? a + rank : a));
    for (const axis of kept) {
      if (!Number.isInteger(axis) || axis < 1 || axis >= rank) {
        throw new Error(`Normalization layer ${this.name}: axis ${axis} is out of range for input rank ${rank} (the batch axis cannot be kept)`);
      }
      if (shape[axis] === null) throw new Error(`Normalization layer ${this.name}: axis ${axis} must have a known size`);
    }
    // The statistics broadcast over every axis that is not kept, as in Keras.
    this.broadcastShape = shape.map((d, i) => (kept.includes(i) ? (d as number) : 1));
    const keptShape = kept.map((a) => shape[a] as number);
    if (this.fixedMean === null) {
      // Same names, shapes and order as Keras's adapt() weights, so the weight file matches.
      this.meanWeight = this.addWeight('mean', keptShape, 'float32', tf.initializers.zeros(), undefined, false);
      this.varianceWeight = this.addWeight('variance', keptShape, 'float32', tf.initializers.ones(), undefined, false);
      this.addWeight('count', [], 'int32', tf.initializers.zeros(), undefined, false);
    } else {
      const size = keptShape.reduce((n, d) => n * d, 1);
      for (const [name, values] of [['mean', this.fixedMean], ['variance', this.fixedVariance!]] as const) {
        if (values.length !== 1 && values.length !== size) {
          throw new Error(`Normalization layer ${this.name}: ${name} has ${values.length} values, the kept axes need ${size} (or 1)`);
        }
      }
    }
    this.built = true;
  }

  private statistic(weight: tf.LayerVariable | null, fixed: number[] | null): tf.Tensor {
    if (weight !== null) return weight.read().reshape(this.broadcastShape);
    const values = fixed!;
    return values.length === 1 ? tf.scalar(values[0]!) : tf.tensor(values, this.broadcastShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (x.dtype !== 'float32') x = x.toFloat();
      const mean = this.statistic(this.meanWeight, this.fixedMean);
      const std = tf.maximum(tf.sqrt(this.statistic(this.varianceWeight, this.fixedVariance)), KERAS_EPSILON);
      return this.invert ? tf.add(mean, tf.mul(x, std)) : tf.div(tf.sub(x, mean), std);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axisConfig, mean: this.fixedMean, variance: this.fixedVariance, invert: this.invert };
  }
}
