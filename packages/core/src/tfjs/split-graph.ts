import * as tf from '@tensorflow/tfjs';
import type { Size2D } from '../inputs.js';
import { ModelError } from './errors.js';
import { widenScalarBiases } from './graph-compat.js';
import { GraphIndex, listGraphLayers, nodeName, resolveGraphLayer, type GraphNode } from './graph-layers.js';
import { inferGraphShapes } from './graph-shapes.js';
import { isSpatialShape, type LayerInfo } from './layer-names.js';
import type { SplitOptions } from './split-layers.js';
import type { SplitModel } from './split-model.js';
import { shapeText } from './shape-text.js';

const PROBE_SIZE = 224;

function graphNodes(model: tf.GraphModel): GraphNode[] {
  const topology = (model as unknown as { artifacts?: { modelTopology?: { node?: GraphNode[] } } }).artifacts?.modelTopology;
  const nodes = topology?.node;
  if (!Array.isArray(nodes)) throw new ModelError('this GraphModel carries no GraphDef topology; load it with tf.loadGraphModel from a model.json');
  return nodes;
}

interface GraphFacts {
  readonly index: GraphIndex;
  readonly inputName: string;
  readonly inputShape: [number | null, number | null, number];
  readonly shapes: Map<string, readonly number[]>;
  readonly classes: number;
  /** Where the node shapes came from: the graph itself, or (for ops static inference does not know) a run on zeros. */
  readonly shapesFrom: string;
}

/** Node output shapes are not stored in a GraphDef, so the graph is run once on zeros to learn them. */
function graphFacts(model: tf.GraphModel, inputSize: Size2D | undefined): GraphFacts {
  const nodes = graphNodes(model);
  const inputName = model.inputs[0]?.name;
  const declared = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || !inputName || !declared || declared.length !== 4 || declared[3] === undefined || declared[3] < 0) {
    throw new ModelError(`the graph model's input has shape ${shapeText(declared)}; wgcam needs one [B, H, W, C] image input with a known channel count`);
  }
  const dim = (d: number | undefined): number | null => (d === undefined || d < 0 ? null : d);
  const [height, width] = [dim(declared[1]), dim(declared[2])];
  if (inputSize && ((height !== null && height !== inputSize.height) || (width !== null && width !== inputSize.width))) {
    throw new ModelError(`the graph's input is fixed at ${width}×${height}; an input size of ${inputSize.width}×${inputSize.height} cannot be used`);
  }
  const inputShape: [number | null, number | null, number] = [height ?? inputSize?.height ?? null, width ?? inputSize?.width ?? null, declared[3]];
  widenScalarBiases(model, nodes);
  const logits = GraphIndex.logitsOf(nodes, model.outputs[0]?.name ?? '');
  const index = new GraphIndex(nodes, logits);
  const names = index.computeNodes().filter((n) => n !== inputName);
  const probeShape = [1, inputShape[0] ?? PROBE_SIZE, inputShape[1] ?? PROBE_SIZE, inputShape[2]];
  const inferred = inferGraphShapes(nodes, model.weights, inputName, probeShape);
  let shapes = new Map<string, readonly number[]>();
  const unknown = names.filter((n) => !inferred.get(n));
  if (unknown.length === 0) {
    for (const n of names) shapes.set(n, inferred.get(n)!);
  } else {
    shapes = probeShapes(model, inputName, probeShape, names);
  }
  const classes = shapes.get(logits)?.[1] ?? 0;
  const logitsShape = shapes.get(logits) ?? [];
  if (logitsShape.length !== 2) throw new ModelError(`the graph's output '${logits}' has shape ${shapeText(logitsShape)}; wgcam explains classifiers with [B, classes] outputs`);
  return { index, inputName, inputShape, shapes, classes, shapesFrom: unknown.length === 0 ? 'graph' : `a run on zeros (no static shape for ${unknown[0]})` };
}

/** Runs the graph once on zeros to learn every node's shape: what opening cost before static inference, kept for ops it does not know. */
export function probeShapes(model: tf.GraphModel, inputName: string, probeShape: readonly number[], names: readonly string[]): Map<string, readonly number[]> {
  const probe = tf.zeros([...probeShape]);
  const shapes = new Map<string, readonly number[]>();
  try {
    const outputs = model.execute({ [inputName]: probe }, [...names]) as tf.Tensor[];
    names.forEach((n, i) => shapes.set(n, outputs[i]?.shape ?? []));
    tf.dispose(outputs);
  } finally {
    probe.dispose();
  }
  return shapes;
}

/**
 * The layers of a GraphModel that CAM methods can explain: Keras layer names recovered
 * from the converter's node names, each with the node that holds its map.
 *
 * @example
 * listGraphModelLayers(model).map((l) => `${l.name} → ${l.node}`);
 */
export function listGraphModelLayers(model: tf.GraphModel, inputSize?: Size2D): LayerInfo[] {
  const facts = graphFacts(model, inputSize);
  const automatic = (() => {
    try {
      return resolveGraphLayer(facts.index, facts.shapes, undefined).node;
    } catch {
      return undefined; // no automatic layer: every entry says automatic: false
    }
  })();
  return listGraphLayers(facts.index, facts.shapes).map((l) => {
    const map = typeof l.map === 'string' ? undefined : l.map;
    const spatial = isSpatialShape(l.shape);
    return {
      name: l.path,
      shape: [null, ...l.shape.slice(1)],
      automatic: map !== undefined && map.node === automatic,
      ...(map ? { node: map.node } : {}),
      ...(map?.note ? { note: map.note } : {}),
      ...(typeof l.map === 'string' ? { refused: l.map } : !spatial ? { refused: 'a 1×1 map: no spatial extent to explain' } : {}),
    };
  });
}

/**
 * Cuts a GraphModel at a Keras layer (its name or path, resolved to the node that holds
 * its output after the converter's fusions), a node name, or automatically at the last
 * spatial map before the head that is not pooled. The executor runs the graph to the
 * node, and runs the rest from the node's tensor fed back through the input map. The
 * score is the logit feeding the converter's final Softmax → Identity.
 *
 * @example
 * const split = splitGraphModel(model, { layer: 'conv5_block3_out' });
 */
export function splitGraphModel(model: tf.GraphModel, options: SplitOptions | string = {}): SplitModel {
  const { layer: requested, inputSize } = typeof options === 'string' ? { layer: options, inputSize: undefined } : options;
  const { index, inputName, inputShape, shapes, classes } = graphFacts(model, inputSize);
  const chosen = resolveGraphLayer(index, shapes, requested);
  const logitsName = index.logits;
  const node = chosen.node;
  const activate = (t: tf.Tensor): tf.Tensor4D => (chosen.activation === 'Relu6' ? tf.relu6(t) : chosen.activation === 'Relu' ? tf.relu(t) : t) as tf.Tensor4D;

  return {
    layer: chosen.layer,
    node,
    ...(chosen.note ? { note: chosen.note } : {}),
    automatic: requested === undefined,
    inputShape,
    classes,
    forward(input) {
      const [raw, logits] = model.execute({ [inputName]: input }, [node, logitsName]) as tf.Tensor[];
      if (!chosen.activation) return { activations: raw as tf.Tensor4D, logits: logits as tf.Tensor2D };
      const activations = activate(raw!);
      raw!.dispose();
      return { activations, logits: logits as tf.Tensor2D };
    },
    logits(input) {
      return model.execute({ [inputName]: input }, logitsName) as tf.Tensor2D;
    },
    head(activations, input) {
      // The input is fed too, for any branch that goes around the cut.
      if (!chosen.pool) return model.execute({ [inputName]: input, [node]: activations }, logitsName) as tf.Tensor2D;
      // Keras pooled the activated map with nothing after it: pool it here and feed the
      // result past the moved activation, whose zero gradient at 0 would otherwise cut
      // the gradient of every all-zero window that Keras routes through.
      const { feed, size, strides, padding } = chosen.pool;
      const pooled = tf.maxPool(activations, size, strides, padding);
      return model.execute({ [inputName]: input, [feed]: pooled }, logitsName) as tf.Tensor2D;
    },
    denseKernel() {
      // Expect logits = MatMul(Mean(map, [1, 2]), kernel) (+ BiasAdd).
      let at = index.byName.get(logitsName);
      if (at?.op === 'BiasAdd' || at?.op === 'Add' || at?.op === 'AddV2') at = index.byName.get(nodeName(at.input?.[0] ?? ''));
      const pooled = at?.op === 'MatMul' ? index.byName.get(nodeName(at.input?.[0] ?? '')) : undefined;
      const kernelName = at?.op === 'MatMul' ? nodeName(at.input?.[1] ?? '') : '';
      if (chosen.activation || pooled?.op !== 'Mean' || nodeName(pooled.input?.[0] ?? '') !== node || !model.weights[kernelName]) {
        return `CAM needs logits = MatMul(Mean('${chosen.layer}' over h, w), kernel) in the graph; this graph computes them otherwise. Use Grad-CAM instead.`;
      }
      return model.weights[kernelName]![0] as tf.Tensor2D;
    },
    dispose() {},
  };
}
