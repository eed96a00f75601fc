import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];

/** The config Keras's InceptionResNetV2 writes for its residual scaling layer. */
export interface CustomScaleLayerArgs extends LayerArgs {
  scale: number;
}

/**
 * Keras's InceptionResNetV2 residual join, `inputs[0] + inputs[1] · scale`. Keras ≥ 2.13 and
 * Keras 3 serialise it as `CustomScaleLayer` (older Keras used a Lambda, which no JS can
 * read); TF.js has no such class, so without this the whole application fails to load.
 *
 * @example
 * registerKerasLayers();
 * const join = new CustomScaleLayer({ scale: 0.17 });
 * join.apply([shortcut, residual]);
 */
export class CustomScaleLayer extends tf.layers.Layer {
  static readonly className = 'CustomScaleLayer';
  private readonly scale: number;

  constructor(args: CustomScaleLayerArgs) {
    super(args);
    if (typeof args.scale !== 'number' || !Number.isFinite(args.scale)) {
      throw new Error(`CustomScaleLayer ${this.name}: scale must be a finite number, got ${String(args.scale)}`);
    }
    this.scale = args.scale;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new Error(`CustomScaleLayer ${this.name} takes [shortcut, residual]`);
    }
    return tf.tidy(() => tf.add(inputs[0]!, tf.mul(inputs[1]!, this.scale)));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}
