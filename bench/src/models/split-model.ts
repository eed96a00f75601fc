// Splits a LayersModel at the explained layer into the trunk (input → activations A) and
// the head (A → logits), the way Grad-CAM implementations on TF.js do: the gradient of a
// class score with respect to A only needs the backward pass through the head.
import * as tf from '@tensorflow/tfjs';

/** A classifier split at its target layer. */
export interface SplitModel {
  /** Input → target-layer activations, [B, h, w, C]. */
  readonly features: (input: tf.Tensor4D) => tf.Tensor4D;
  /** Target-layer activations → logits, [B, classes]. */
  readonly head: (activations: tf.Tensor4D) => tf.Tensor2D;
  /** The dense kernel after global average pooling, [C, classes] (what CAM weights by). */
  readonly denseKernel: tf.Tensor2D;
}

/** The layers after `from` up to and including `to`, which must form a single chain. */
function headChain(model: tf.LayersModel, from: string, to: string): tf.layers.Layer[] {
  const chain: tf.layers.Layer[] = [];
  let layer = model.getLayer(from);
  while (layer.name !== to) {
    const next = layer.outboundNodes.map((node) => node.outboundLayer).filter((l) => model.layers.includes(l));
    const only = next[0];
    if (next.length !== 1 || !only) {
      throw new Error(`the layers after '${layer.name}' branch (${next.length} consumers); the head from '${from}' to '${to}' must be a chain`);
    }
    chain.push(only);
    layer = only;
  }
  return chain;
}

/**
 * Splits `model` at `targetLayer`; `logitsLayer` is the last layer of the head (before any softmax).
 *
 * @example
 * const split = splitModel(model, 'stage4_block3_out', 'logits');
 * const A = split.features(x);
 * const logits = split.head(A);
 */
export function splitModel(model: tf.LayersModel, targetLayer: string, logitsLayer: string): SplitModel {
  const trunk = tf.model({ inputs: model.inputs, outputs: model.getLayer(targetLayer).output as tf.SymbolicTensor });
  const chain = headChain(model, targetLayer, logitsLayer);
  const dense = chain.find((layer) => layer.getClassName() === 'Dense');
  const kernel = dense?.getWeights()[0];
  if (!kernel || kernel.rank !== 2) throw new Error(`no Dense layer between '${targetLayer}' and '${logitsLayer}': CAM needs a GAP → Dense head`);
  return {
    features: (input) => trunk.apply(input, { training: false }) as tf.Tensor4D,
    head: (activations) => chain.reduce<tf.Tensor>((x, layer) => layer.apply(x, { training: false }) as tf.Tensor, activations) as tf.Tensor2D,
    denseKernel: kernel as tf.Tensor2D,
  };
}
