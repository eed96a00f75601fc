import type * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';

/** A model cut at its target layer: everything the explanation needs from TF.js. */
export interface SplitModel {
  /** Name of the target layer: its Keras name or path through nested models (`model1/out_relu`). */
  readonly layer: string;
  /** GraphModel: the graph node whose output is the layer's map. */
  readonly node?: string;
  /** Set when the map had to be obtained in another way than reading the layer's output (a converter rewrite), saying how. */
  readonly note?: string;
  /** Whether the layer was chosen automatically. */
  readonly automatic: boolean;
  /** The model input size, [H, W, Cin]; null for a dynamic dimension (each image's own size is used). */
  readonly inputShape: readonly [number | null, number | null, number];
  /** Number of output classes. */
  readonly classes: number;
  /** Runs the whole model once: the layer's activations [B,h,w,C] and the pre-softmax logits [B,classes]. */
  forward(input: tf.Tensor4D): { activations: tf.Tensor4D; logits: tf.Tensor2D };
  /** The pre-softmax logits alone [B, classes] (Score-CAM's masked forward passes). */
  logits(input: tf.Tensor4D): tf.Tensor2D;
  /** Logits as a differentiable function of the layer's activations (and the input, for branches around the cut). */
  head(activations: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor2D;
  /** CAM: the dense kernel [C, classes] after global average pooling, or a reason why there is none. */
  denseKernel(): tf.Tensor2D | string;
  /** Releases tensors and sub-models the split created (not the user's model). */
  dispose(): void;
}

/**
 * The split's input size when the model fixes it; a ModelError for a dynamic input, for
 * callers that must allocate before seeing an image (the demo, Score-CAM scripts).
 *
 * @example
 * const [height, width, channels] = fixedInputShape(split);
 */
export function fixedInputShape(split: SplitModel): [number, number, number] {
  const [height, width, channels] = split.inputShape;
  if (height === null || width === null) {
    throw new ModelError(`the model's input size is dynamic ([null, null, ${channels}]); give an input size (inputSize / --input-size) to use it here`);
  }
  return [height, width, channels];
}
