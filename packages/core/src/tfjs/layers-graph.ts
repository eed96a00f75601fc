import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';

export type Symbolic = tf.SymbolicTensor;

/** One layer application in a model flattened through its nested models. */
export interface GraphEntry {
  readonly layer: tf.layers.Layer;
  /** Name path from the outer model: `out_relu`, or `sequential_1/model1/out_relu` inside nested models. */
  readonly path: string;
  /** The output this application produced in the flat graph. */
  readonly tensor: Symbolic;
  /** Whether the layer is itself a model (its output is also its last inner layer's). */
  readonly container: boolean;
}

/** A LayersModel seen as one graph of leaf layers from its input to its output. */
export interface FlatGraph {
  readonly input: Symbolic;
  readonly output: Symbolic;
  /** Every layer application on the way, inputs before outputs (a topological order). */
  readonly entries: readonly GraphEntry[];
}

function isContainer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

function nodeOf(symbolic: Symbolic): { inputTensors: Symbolic[] } | undefined {
  return symbolic.sourceLayer.inboundNodes[symbolic.nodeIndex] as { inputTensors: Symbolic[] } | undefined;
}

/**
 * Flattens a LayersModel through the Sequential and functional models nested in it, so
 * that a layer inside them (Teachable Machine's `model1/out_relu`) is a tensor of one
 * graph that can be cut. Layers downstream of a nested model are applied once more to
 * the inlined tensors (weights are shared, nothing is copied); a model without nested
 * models is walked as it is, without applying anything.
 *
 * @example
 * const { entries } = flattenModel(model);
 * entries.map((e) => e.path); // ['Conv1', ..., 'sequential_1/model1/out_relu', ...]
 */
export function flattenModel(model: tf.LayersModel): FlatGraph {
  if (model.inputs.length !== 1) throw new ModelError(`the model has ${model.inputs.length} inputs; wgcam explains single-input image classifiers`);
  if (model.outputs.length !== 1) throw new ModelError(`the model has ${model.outputs.length} outputs; wgcam explains single-output classifiers`);
  const entries: GraphEntry[] = [];
  const input = model.inputs[0]!;

  const inline = (container: tf.LayersModel, inputs: readonly Symbolic[], prefix: string): Symbolic[] => {
    const mapped = new Map<number, Symbolic>();
    container.inputs.forEach((t, i) => mapped.set(t.id, inputs[i]!));
    const visit = (symbolic: Symbolic): Symbolic => {
      const known = mapped.get(symbolic.id);
      if (known) return known;
      const layer = symbolic.sourceLayer;
      const node = nodeOf(symbolic);
      if (!node || node.inputTensors.length === 0) {
        throw new ModelError(`layer '${prefix}${layer.name}' has no input inside its model; wgcam cannot follow this model's graph`);
      }
      const ins = node.inputTensors.map(visit);
      let out: Symbolic;
      if (isContainer(layer)) {
        if (layer.inputs.length !== ins.length) throw new ModelError(`nested model '${prefix}${layer.name}' takes ${layer.inputs.length} inputs but is given ${ins.length}`);
        const outs = inline(layer, ins, `${prefix}${layer.name}/`);
        out = outs[symbolic.tensorIndex]!;
      } else if (ins.every((t, i) => t === node.inputTensors[i])) {
        out = symbolic; // nothing upstream was inlined: keep the model's own tensor
      } else {
        const applied = layer.apply(ins.length === 1 ? ins[0]! : ins) as Symbolic | Symbolic[];
        out = Array.isArray(applied) ? applied[symbolic.tensorIndex]! : applied;
      }
      mapped.set(symbolic.id, out);
      entries.push({ layer, path: `${prefix}${layer.name}`, tensor: out, container: isContainer(layer) });
      return out;
    };
    return container.outputs.map(visit);
  };

  const output = inline(model, [input], '')[0]!;
  return { input, output, entries };
}

/**
 * Whether every path from the model input to `to` passes through `cut`: then the
 * layer's activations alone determine the prediction and its gradient is the whole
 * story. A layer inside a residual block is not a cut point (the skip path goes around it).
 */
export function isCutPoint(cut: Symbolic, to: Symbolic, input: Symbolic): boolean {
  const seen = new Set<number>([cut.id]);
  const stack = [to];
  while (stack.length > 0) {
    const symbolic = stack.pop()!;
    if (seen.has(symbolic.id)) continue;
    seen.add(symbolic.id);
    if (symbolic.id === input.id) return false;
    const node = nodeOf(symbolic);
    if (!node || node.inputTensors.length === 0 || symbolic.sourceLayer.getClassName() === 'InputLayer') return false;
    stack.push(...node.inputTensors);
  }
  return true;
}

/** Whether `to` depends on `from` at all. */
export function feeds(from: Symbolic, to: Symbolic): boolean {
  const seen = new Set<number>();
  const stack = [to];
  while (stack.length > 0) {
    const symbolic = stack.pop()!;
    if (symbolic.id === from.id) return true;
    if (seen.has(symbolic.id)) continue;
    seen.add(symbolic.id);
    const node = nodeOf(symbolic);
    if (node) stack.push(...node.inputTensors);
  }
  return false;
}

/** The layer that produced `symbolic` and the tensors it took, in the flat graph. */
export function producer(symbolic: Symbolic): { layer: tf.layers.Layer; inputs: Symbolic[] } | null {
  const node = nodeOf(symbolic);
  return node ? { layer: symbolic.sourceLayer, inputs: node.inputTensors } : null;
}
