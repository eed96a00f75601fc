import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors.js';
import { ModelError } from './errors.js';
import { discardFailedTape, targetGradients } from './gradients.js';
import { flattenModel, producer, type Symbolic } from './layers-graph.js';
import { splitGraphModel } from './split-graph.js';
import { denseLogits, logitsSource, pickLayer, spatialCandidates, splitLayersModel, type SplitOptions } from './split-layers.js';
import type { SplitModel } from './split-model.js';

/** A model cut at several target layers at once: what a multi-layer explanation needs from TF.js. */
export interface MultiSplit {
  /** The layers' resolved names, in the order they were asked for. */
  readonly layers: readonly string[];
  /** One single-layer split per layer (same order): input shape, classes, notes. */
  readonly splits: readonly SplitModel[];
  /**
   * Whether one forward pass gives every layer's activations and one backward pass per
   * target gives every layer's gradients (LayersModel); otherwise (GraphModel) each layer
   * costs its own forward and backward passes.
   */
  readonly shared: boolean;
  /** Every layer's activations [B, h_l, w_l, C_l] (request order) and the pre-softmax logits. */
  forward(input: tf.Tensor4D): { activations: tf.Tensor4D[]; logits: tf.Tensor2D };
  /** d(target score)/d(each layer's activations): [B, h, w, C] per layer, or [B, K, h, w, C] for K targets. */
  gradients(activations: readonly tf.Tensor4D[], input: tf.Tensor4D, targets: readonly (readonly number[])[] | tf.Tensor2D, score: 'logit' | 'probability'): tf.Tensor[];
  /** The model passes forward() and gradients() cost for `targets` targets per image. */
  passes(targets: number): { forward: number; backward: number };
  dispose(): void;
}

/**
 * Checks a layer list: at least one name, each a string, none repeated.
 *
 * @example
 * checkLayerList(['conv2', 'last_conv']);
 */
export function checkLayerList(layers: readonly string[]): void {
  if (!Array.isArray(layers) || layers.length === 0) throw new InvalidInputError('layers must name at least one target layer (e.g. [\'conv2\', \'last_conv\'])');
  for (const name of layers) {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidInputError(`every layer must be a non-empty name; got ${JSON.stringify(name)}`);
  }
  const repeated = layers.filter((name, i) => layers.indexOf(name) !== i);
  if (repeated.length > 0) throw new InvalidInputError(`layer '${repeated[0]}' is listed twice in [${layers.join(', ')}]; list each layer once`);
}

function refuseSameLayer(layers: readonly string[], resolved: readonly string[]): void {
  resolved.forEach((name, i) => {
    const first = resolved.indexOf(name);
    if (first !== i) throw new InvalidInputError(`layers '${layers[first]}' and '${layers[i]}' are the same layer ('${name}'); list each layer once`);
  });
}

/**
 * Cuts a model at several layers. A LayersModel gets one body model with every layer's
 * output and the logits, and one chain model from the earliest layer to the logits in
 * which each later layer's output has a zero tensor added: the gradients with respect to
 * the earliest layer's activations and to those zeros are every layer's gradients, from
 * one backward pass per target. A GraphModel gets one split per layer.
 *
 * @example
 * const multi = splitMulti(model, ['conv2', 'last_conv']);
 * const { activations, logits } = multi.forward(input);
 * const gradients = multi.gradients(activations, input, [[3]], 'logit');
 */
export function splitMulti(model: tf.LayersModel | tf.GraphModel, layers: readonly string[], options: Omit<SplitOptions, 'layer'> = {}): MultiSplit {
  checkLayerList(layers);
  if (model instanceof tf.GraphModel) {
    const splits = layers.map((layer) => splitGraphModel(model, { ...options, layer }));
    refuseSameLayer(layers, splits.map((s) => s.node ?? s.layer));
    return separateSplits(splits);
  }
  const splits = layers.map((layer) => splitLayersModel(model, { ...options, layer }));
  refuseSameLayer(layers, splits.map((s) => s.layer));
  return sharedLayersSplit(model, layers, splits);
}

/**
 * One split seen as a multi-layer split of one layer (augmentation smoothing on one layer):
 * one forward pass and one backward pass per target. Disposing it leaves the split alone.
 *
 * @example
 * const multi = fromSplit(explainer.split);
 */
export function fromSplit(split: SplitModel): MultiSplit {
  return { ...separateSplits([split]), shared: true, dispose: () => {} };
}

/** Each layer through its own split: its own forward pass and its own backward passes. */
function separateSplits(splits: readonly SplitModel[]): MultiSplit {
  return {
    layers: splits.map((s) => s.layer),
    splits,
    shared: false,
    forward(input) {
      const outs = splits.map((s) => s.forward(input));
      outs.slice(1).forEach((o) => o.logits.dispose());
      return { activations: outs.map((o) => o.activations), logits: outs[0]!.logits };
    },
    gradients(activations, input, targets, score) {
      return splits.map((s, i) => targetGradients(s, activations[i]!, input, targets, score));
    },
    passes: (targets) => ({ forward: splits.length, backward: splits.length * targets }),
    dispose: () => splits.forEach((s) => s.dispose()),
  };
}

function sharedLayersSplit(model: tf.LayersModel, names: readonly string[], splits: readonly SplitModel[]): MultiSplit {
  const graph = flattenModel(model);
  const { tensor: logitsTensor, softmaxDense } = logitsSource(graph.output);
  const candidates = spatialCandidates(graph, logitsTensor);
  const picked = names.map((name) => pickLayer(candidates, graph, name).entry);
  const position = (tensor: Symbolic): number => graph.entries.findIndex((e) => e.tensor.id === tensor.id);
  // Model order: the chain starts at the earliest cut; every later cut lies on its way to the logits.
  const order = picked.map((_, i) => i).sort((a, b) => position(picked[a]!.tensor) - position(picked[b]!.tensor));
  const cuts = order.map((i) => picked[i]!.tensor);
  const first = cuts[0]!;
  const start = tf.input({ shape: first.shape.slice(1) as number[], name: `wgcam_multi_start_${first.id}` });
  const zeros = cuts.slice(1).map((cut) => tf.input({ shape: cut.shape.slice(1) as number[], name: `wgcam_multi_zero_${cut.id}` }));
  const later = new Map(cuts.slice(1).map((cut, j) => [cut.id, zeros[j]!] as const));
  const rebuilt = new Map<number, Symbolic>([[first.id, start]]);
  const rebuild = (symbolic: Symbolic): Symbolic => {
    const known = rebuilt.get(symbolic.id);
    if (known) return known;
    const made = producer(symbolic);
    if (!made || made.inputs.length === 0 || symbolic.id === graph.input.id) {
      throw new ModelError(`the prediction depends on '${symbolic.sourceLayer.name}' without passing through '${picked[order[0]!]!.path}'`);
    }
    const ins = made.inputs.map(rebuild);
    const applied = made.layer.apply(ins.length === 1 ? ins[0]! : ins) as Symbolic | Symbolic[];
    let out = Array.isArray(applied) ? applied[symbolic.tensorIndex]! : applied;
    // A later cut: its output plus a zero input, whose gradient is the cut's gradient.
    const zero = later.get(symbolic.id);
    if (zero) out = tf.layers.add({ name: `wgcam_multi_add_${symbolic.id}` }).apply([out, zero]) as Symbolic;
    rebuilt.set(symbolic.id, out);
    return out;
  };
  const chain = tf.model({ inputs: [start, ...zeros], outputs: rebuild(logitsTensor), name: `${model.name}_wgcam_multi_chain_${first.id}` });
  const body = tf.model({ inputs: graph.input, outputs: [...picked.map((e) => e.tensor), logitsTensor], name: `${model.name}_wgcam_multi_body_${first.id}` });
  const finish = (t: tf.Tensor): tf.Tensor2D => (softmaxDense ? denseLogits(t, softmaxDense) : (t as tf.Tensor2D));

  return {
    layers: splits.map((s) => s.layer),
    splits,
    shared: true,
    forward(input) {
      const outs = body.apply(input, { training: false }) as tf.Tensor[];
      return { activations: outs.slice(0, picked.length) as tf.Tensor4D[], logits: finish(outs[picked.length]!) };
    },
    gradients(activations, _input, targets, score) {
      const k = targets instanceof tf.Tensor ? targets.shape[1] : (targets[0]?.length ?? 1);
      try {
        return tf.tidy(() => {
          // Chain inputs in model order: the earliest layer's activations, zeros for the later ones.
          const feeds = [activations[order[0]!]!, ...order.slice(1).map((i) => tf.zerosLike(activations[i]!))];
          const perTarget = Array.from({ length: k }, (_, j) => {
            const column = targets instanceof tf.Tensor ? targets.slice([0, j], [-1, 1]).reshape([-1]).toInt() : tf.tensor1d(targets.map((row) => row[j]!), 'int32');
            const oneHot = tf.oneHot(column as tf.Tensor1D, splits[0]!.classes).toFloat();
            return tf.grads((...xs: tf.Tensor[]) => {
              const logits = finish(chain.apply(xs, { training: false }) as tf.Tensor);
              return tf.sum(tf.mul(score === 'probability' ? tf.softmax(logits) : logits, oneHot));
            })(feeds);
          });
          // Back to request order: gradient j of the chain belongs to layer order[j].
          const byLayer: tf.Tensor[] = new Array(picked.length);
          order.forEach((layer, j) => {
            byLayer[layer] = k === 1 ? perTarget[0]![j]! : tf.stack(perTarget.map((g) => g[j]!), 1);
          });
          return byLayer;
        });
      } catch (error) {
        discardFailedTape();
        throw error;
      }
    },
    passes: (targets) => ({ forward: 1, backward: targets }),
    dispose: () => splits.forEach((s) => s.dispose()),
  };
}
