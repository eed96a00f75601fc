import * as tf from '@tensorflow/tfjs';
import { nodeName, type GraphNode } from './graph-layers.js';

const FUSED_CONVOLUTIONS = new Set(['_FusedConv2D', 'FusedDepthwiseConv2dNative']);
const fixed = new WeakSet<tf.GraphModel>();

/**
 * The converter folds `conv + scalar` (MobileNetV3's hard-sigmoid `x + 3`) into a fused
 * convolution whose bias is a scalar. TF.js's cpu and webgpu backends broadcast it; its
 * wasm backend refuses ("FusedConv2D only supports rank-1 bias"). Widening each such bias
 * to one value per output channel gives the same numbers on every backend. Only constants
 * used as nothing but fused biases are widened; the model's weight map is changed in place.
 *
 * @example
 * widenScalarBiases(graphModel, nodes);
 */
export function widenScalarBiases(model: tf.GraphModel, nodes: readonly GraphNode[]): number {
  if (fixed.has(model)) return 0;
  fixed.add(model);
  const weights = model.weights;
  const uses = new Map<string, { asBias: number; other: number }>();
  for (const node of nodes) {
    (node.input ?? []).forEach((input, i) => {
      const name = nodeName(input);
      const count = uses.get(name) ?? { asBias: 0, other: 0 };
      if (FUSED_CONVOLUTIONS.has(node.op) && i === 2) count.asBias++;
      else count.other++;
      uses.set(name, count);
    });
  }
  let widened = 0;
  for (const node of nodes) {
    if (!FUSED_CONVOLUTIONS.has(node.op)) continue;
    const biasName = nodeName(node.input?.[2] ?? '');
    const filter = weights[nodeName(node.input?.[1] ?? '')]?.[0];
    const bias = weights[biasName]?.[0];
    if (!bias || bias.rank !== 0 || !filter || filter.rank !== 4 || uses.get(biasName)?.other !== 0) continue;
    const [, , inChannels, perChannel] = filter.shape as [number, number, number, number];
    const channels = node.op === 'FusedDepthwiseConv2dNative' ? inChannels * perChannel : perChannel;
    const wide = tf.tidy(() => tf.fill([channels], bias.dataSync()[0]!));
    weights[biasName] = [wide];
    bias.dispose();
    widened++;
  }
  return widened;
}
