import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';
import type { SplitModel } from './split-model.js';

interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
}

const NOT_LAYERS = new Set(['Const', 'Placeholder', 'NoOp', 'Identity', 'Shape', 'Reshape', 'Squeeze', 'Softmax', 'MatMul']);

function nodeName(input: string): string {
  return input.replace(/^\^/, '').replace(/:\d+$/, '');
}

function graphNodes(model: tf.GraphModel): GraphNode[] {
  const topology = (model as unknown as { artifacts?: { modelTopology?: { node?: GraphNode[] } } }).artifacts?.modelTopology;
  const nodes = topology?.node;
  if (!Array.isArray(nodes)) throw new ModelError('this GraphModel carries no GraphDef topology; load it with tf.loadGraphModel from a model.json');
  return nodes;
}

/**
 * Cuts a GraphModel at node `nodeName` (or the last node with a 4-D spatial output): the
 * executor runs the graph to the node, and runs the rest from the node's tensor fed
 * back in through the input map, which accepts any node name.
 *
 * @example
 * const split = splitGraphModel(model, 'last_conv/Relu');
 */
export function splitGraphModel(model: tf.GraphModel, layerName?: string): SplitModel {
  const nodes = graphNodes(model);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const inputName = model.inputs[0]?.name;
  const inputShape = model.inputs[0]?.shape;
  if (!inputName || !inputShape || inputShape.length !== 4 || inputShape.slice(1).some((d) => d === undefined || d < 0)) {
    throw new ModelError(`the graph model's input has shape [${(inputShape ?? []).join(', ')}]; wgcam needs a fixed [B, H, W, C] image input`);
  }
  const outputName = nodeName(model.outputs[0]?.name ?? '');
  const outputNode = byName.get(outputName);
  const logitsName = outputNode?.op === 'Softmax' && outputNode.input?.[0] ? nodeName(outputNode.input[0]) : outputName;

  // Node output shapes are not stored in a GraphDef, so run the graph once on zeros.
  const candidates = nodes.filter((n) => !NOT_LAYERS.has(n.op)).map((n) => n.name);
  const probe = tf.zeros([1, inputShape[1]!, inputShape[2]!, inputShape[3]!]);
  const outputs = model.execute({ [inputName]: probe }, [...candidates, logitsName]) as tf.Tensor[];
  const spatial = candidates.filter((_, i) => outputs[i]?.rank === 4);
  const classes = outputs[outputs.length - 1]?.shape[1] ?? 0;
  tf.dispose([probe, ...outputs]);

  let layer: string;
  const automatic = layerName === undefined;
  if (layerName === undefined) {
    const last = spatial[spatial.length - 1];
    if (!last) throw new ModelError('the graph has no node with a 4-D [B, h, w, C] output to explain');
    layer = last;
  } else if (!byName.has(layerName)) {
    throw new ModelError(`the graph has no node named '${layerName}'; nodes with a 4-D output: ${spatial.join(', ') || '(none)'}`);
  } else if (!spatial.includes(layerName)) {
    throw new ModelError(`node '${layerName}' does not output a 4-D [B, h, w, C] feature map; choose one of: ${spatial.join(', ')}`);
  } else {
    layer = layerName;
  }

  return {
    layer,
    automatic,
    inputShape: inputShape.slice(1) as [number, number, number],
    classes,
    forward(input) {
      const [activations, logits] = model.execute({ [inputName]: input }, [layer, logitsName]) as tf.Tensor[];
      return { activations: activations as tf.Tensor4D, logits: logits as tf.Tensor2D };
    },
    logits(input) {
      return model.execute({ [inputName]: input }, logitsName) as tf.Tensor2D;
    },
    head(activations, input) {
      // The input is fed too, for any branch that goes around the cut.
      return model.execute({ [inputName]: input, [layer]: activations }, logitsName) as tf.Tensor2D;
    },
    denseKernel() {
      // Expect logits = MatMul(Mean(layer, [1, 2]), kernel) (+ BiasAdd).
      let node = byName.get(logitsName);
      if (node?.op === 'BiasAdd' || node?.op === 'Add' || node?.op === 'AddV2') node = byName.get(nodeName(node.input?.[0] ?? ''));
      const pooled = node?.op === 'MatMul' ? byName.get(nodeName(node.input?.[0] ?? '')) : undefined;
      const kernelName = node?.op === 'MatMul' ? nodeName(node.input?.[1] ?? '') : '';
      if (pooled?.op !== 'Mean' || nodeName(pooled.input?.[0] ?? '') !== layer || !model.weights[kernelName]) {
        return `CAM needs logits = MatMul(Mean('${layer}' over h, w), kernel) in the graph; this graph computes them otherwise. Use Grad-CAM instead.`;
      }
      return model.weights[kernelName]![0] as tf.Tensor2D;
    },
    dispose() {},
  };
}
