import * as tf from '@tensorflow/tfjs';
import type { Size2D } from '../inputs.js';
import { ModelError } from './errors.js';
import { closestNames, isSpatialShape, listSome, POOLING_LAYER_CLASSES, type LayerInfo } from './layer-names.js';
import { flattenModel, feeds, isCutPoint, producer, type FlatGraph, type GraphEntry, type Symbolic } from './layers-graph.js';
import type { SplitModel } from './split-model.js';
import { shapeText } from './shape-text.js';

/** How a split is asked for: a layer (automatic when omitted) and, for a dynamic input, its size. */
export interface SplitOptions {
  readonly layer?: string | undefined;
  /** Input size to use when the model's input has dynamic height/width; otherwise each image's own size. */
  readonly inputSize?: Size2D | undefined;
}

function activationName(layer: tf.layers.Layer): string | undefined {
  const config = layer.getConfig() as { activation?: unknown };
  return typeof config.activation === 'string' ? config.activation : undefined;
}

/** @internal The pre-softmax logits tensor, and the Dense layer to finish them with when its own activation is softmax. */
export function logitsSource(output: Symbolic): { tensor: Symbolic; softmaxDense: tf.layers.Layer | null } {
  const made = producer(output);
  const last = output.sourceLayer;
  const input = made?.inputs[0];
  if (input && activationName(last) === 'softmax') return { tensor: input, softmaxDense: last.getClassName() === 'Dense' ? last : null };
  if (input && last.getClassName() === 'Softmax') return { tensor: input, softmaxDense: null };
  if (input && last.getClassName() === 'Activation' && activationName(last) === 'softmax') return { tensor: input, softmaxDense: null };
  return { tensor: output, softmaxDense: null };
}

/** @internal A layer application that could be cut at, with why not if refused. */
export interface Candidate {
  readonly entry: GraphEntry;
  readonly refused: string | undefined;
}

/** @internal The layers with a spatial [B, h, w, C] output, each with why it cannot be cut at, if so. */
export function spatialCandidates(graph: FlatGraph, logits: Symbolic): Candidate[] {
  const uses = new Map<tf.layers.Layer, number>();
  for (const entry of graph.entries) uses.set(entry.layer, (uses.get(entry.layer) ?? 0) + 1);
  return graph.entries
    .filter((e) => e.tensor.shape.length === 4 && e.layer.getClassName() !== 'InputLayer' && e.tensor.id !== graph.input.id)
    .map((entry) => {
      let refused: string | undefined;
      if ((uses.get(entry.layer) ?? 0) > 1) refused = `is applied ${uses.get(entry.layer)} times in the model, so it has no single output to explain; choose a layer that is used once`;
      else if (!feeds(entry.tensor, logits)) refused = "does not feed the model's prediction; choose a layer on the path to the output";
      else if (!isCutPoint(entry.tensor, logits, graph.input)) refused = 'is not a cut point of the model: the prediction also depends on a path around it (inside a residual block or branch); choose the output of the block';
      return { entry, refused };
    });
}

function isRecipeLayer(candidate: Candidate): boolean {
  const { entry } = candidate;
  return candidate.refused === undefined && !entry.container && isSpatialShape(entry.tensor.shape) && !POOLING_LAYER_CLASSES.has(entry.layer.getClassName());
}

/** Finds `name` as a full path, a unique leaf name, or a unique path suffix (`model1/out_relu`). */
function findEntry(candidates: readonly Candidate[], name: string): Candidate | undefined {
  const exact = candidates.find((c) => c.entry.path === name);
  if (exact) return exact;
  const suffix = candidates.filter((c) => c.entry.path.endsWith(`/${name}`));
  if (suffix.length > 1) {
    throw new ModelError(`layer name '${name}' is ambiguous in this model: ${suffix.map((c) => c.entry.path).join(', ')}; give the path`);
  }
  return suffix[0];
}

/** @internal The entry a layer name resolves to (or the automatic choice), with a ModelError saying what to pick instead. */
export function pickLayer(candidates: readonly Candidate[], graph: FlatGraph, name: string | undefined): { entry: GraphEntry; automatic: boolean } {
  const spatialNames = candidates.filter((c) => !c.refused).map((c) => c.entry.path);
  if (name === undefined) {
    const recipe = [...candidates].reverse().find(isRecipeLayer);
    if (!recipe) {
      throw new ModelError('the model has no spatial feature map (a layer with a [B, h, w, C] output, h·w > 1, before pooling) to explain; CAM methods need a convolutional feature map');
    }
    return { entry: recipe.entry, automatic: true };
  }
  const found = findEntry(candidates, name);
  if (!found) {
    const known = graph.entries.find((e) => e.path === name || e.path.endsWith(`/${name}`));
    if (known) {
      throw new ModelError(
        `layer '${name}' outputs shape ${shapeText(known.tensor.shape)}, not a 4-D [B, h, w, C] feature map; ` +
          `choose one of: ${listSome(closestNames(name, spatialNames), spatialNames.length)}`,
      );
    }
    throw new ModelError(`the model has no layer named '${name}'; closest layers with a 4-D output: ${listSome(closestNames(name, spatialNames), spatialNames.length)}`);
  }
  if (found.refused) {
    throw new ModelError(`layer '${found.entry.path}' ${found.refused}. Layers that can be explained: ${listSome(closestNames(name, spatialNames), spatialNames.length)}`);
  }
  return { entry: found.entry, automatic: false };
}

/**
 * The layers of a LayersModel that CAM methods can explain (4-D outputs, nested models
 * included), with the automatic choice marked and refused ones explained.
 *
 * @example
 * listLayersModelLayers(model).filter((l) => !l.refused).map((l) => l.name);
 */
export function listLayersModelLayers(model: tf.LayersModel): LayerInfo[] {
  const graph = flattenModel(model);
  const { tensor: logits } = logitsSource(graph.output);
  const candidates = spatialCandidates(graph, logits);
  const automatic = [...candidates].reverse().find(isRecipeLayer);
  return candidates.map((c) => ({
    name: c.entry.path,
    shape: c.entry.tensor.shape,
    automatic: c === automatic,
    ...(c.refused ? { refused: c.refused } : {}),
  }));
}

/** Names of the layers a user may pick: those with a 4-D [B, h, w, C] output that can be cut at. */
export function spatialLayerNames(model: tf.LayersModel): string[] {
  return listLayersModelLayers(model)
    .filter((l) => !l.refused)
    .map((l) => l.name);
}

/** @internal Logits from the features before a Dense layer whose own activation is softmax. */
export function denseLogits(features: tf.Tensor, dense: tf.layers.Layer): tf.Tensor2D {
  const [kernel, bias] = dense.getWeights();
  const product = tf.matMul(features as tf.Tensor2D, kernel as tf.Tensor2D);
  return (bias ? tf.add(product, bias) : product) as tf.Tensor2D;
}

/** The model's [H, W, C] input, with null for dynamic dimensions unless `inputSize` fixes them. */
function modelInputShape(input: Symbolic, inputSize: Size2D | undefined): [number | null, number | null, number] {
  const shape = input.shape;
  const channels = shape[3];
  if (shape.length !== 4 || channels === null || channels === undefined) {
    throw new ModelError(`the model input has shape ${shapeText(shape)}; wgcam needs a [B, H, W, C] image input with a known channel count`);
  }
  const [, height, width] = shape;
  if (inputSize && ((height !== null && height !== inputSize.height) || (width !== null && width !== inputSize.width))) {
    throw new ModelError(`the model's input is fixed at ${width}×${height}; an input size of ${inputSize.width}×${inputSize.height} cannot be used`);
  }
  return [height ?? inputSize?.height ?? null, width ?? inputSize?.width ?? null, channels];
}

/**
 * Cuts a LayersModel at `layer` (or the layer the Keras Grad-CAM recipe uses: the last
 * spatial feature map before the head that is not a pooling layer), looking inside
 * nested Sequential and functional models: a body model returning the layer's
 * activations and the logits in one pass, and a head model that recomputes the logits
 * from the activations, built by re-applying the layers after the cut (weights shared).
 *
 * @example
 * const split = splitLayersModel(model, { layer: 'model1/out_relu' });
 * const { activations, logits } = split.forward(input);
 */
export function splitLayersModel(model: tf.LayersModel, options: SplitOptions | string = {}): SplitModel {
  const { layer: layerName, inputSize } = typeof options === 'string' ? { layer: options, inputSize: undefined } : options;
  const graph = flattenModel(model);
  const { tensor: logitsTensor, softmaxDense } = logitsSource(graph.output);
  const candidates = spatialCandidates(graph, logitsTensor);
  const { entry, automatic } = pickLayer(candidates, graph, layerName);
  const inputShape = modelInputShape(graph.input, inputSize);
  const cut = entry.tensor;

  const headInput = tf.input({ shape: cut.shape.slice(1) as number[], name: `${entry.layer.name}_wgcam_head_input_${cut.id}` });
  const rebuilt = new Map<number, Symbolic>([[cut.id, headInput]]);
  const path: string[] = [];
  const rebuild = (symbolic: Symbolic): Symbolic => {
    const known = rebuilt.get(symbolic.id);
    if (known) return known;
    const made = producer(symbolic);
    if (!made || made.inputs.length === 0 || symbolic.id === graph.input.id) {
      throw new ModelError(`layer '${entry.path}' is not a cut point of the model: the prediction also depends on '${symbolic.sourceLayer.name}' without passing through it`);
    }
    const ins = made.inputs.map(rebuild);
    const applied = made.layer.apply(ins.length === 1 ? ins[0]! : ins) as Symbolic | Symbolic[];
    const out = Array.isArray(applied) ? applied[symbolic.tensorIndex]! : applied;
    rebuilt.set(symbolic.id, out);
    path.push(made.layer.getClassName());
    return out;
  };
  const headOutput = rebuild(logitsTensor);
  const head = tf.model({ inputs: headInput, outputs: headOutput, name: `${model.name}_wgcam_head_${cut.id}` });
  const body = tf.model({ inputs: graph.input, outputs: [cut, logitsTensor], name: `${model.name}_wgcam_body_${cut.id}` });
  const logitsModel = tf.model({ inputs: graph.input, outputs: logitsTensor, name: `${model.name}_wgcam_logits_${cut.id}` });
  const finish = (t: tf.Tensor): tf.Tensor2D => (softmaxDense ? denseLogits(t, softmaxDense) : (t as tf.Tensor2D));
  const units = softmaxDense ? (softmaxDense.getConfig() as { units?: number }).units : logitsTensor.shape[logitsTensor.shape.length - 1];
  const classes = units ?? 0;

  return {
    layer: entry.path,
    automatic,
    inputShape,
    classes,
    forward(input) {
      const [activations, features] = body.apply(input, { training: false }) as tf.Tensor[];
      return { activations: activations as tf.Tensor4D, logits: finish(features!) };
    },
    logits(input) {
      return finish(logitsModel.apply(input, { training: false }) as tf.Tensor);
    },
    head(activations) {
      return finish(head.apply(activations, { training: false }) as tf.Tensor);
    },
    denseKernel() {
      // The head must be GAP, then layers that do nothing at inference, then one linear Dense.
      const steps = path.filter((name) => name !== 'Dropout' && name !== 'Flatten');
      const expected = softmaxDense ? ['GlobalAveragePooling2D'] : ['GlobalAveragePooling2D', 'Dense'];
      const dense = softmaxDense ?? logitsTensor.sourceLayer;
      const linear = softmaxDense !== null || (activationName(dense) ?? 'linear') === 'linear';
      if (steps.join() !== expected.join() || !linear) {
        return `CAM needs global average pooling followed by one dense layer after '${entry.path}'; this model has ${path.join(' → ') || 'nothing'} there. Use Grad-CAM instead.`;
      }
      return dense.getWeights()[0] as tf.Tensor2D;
    },
    dispose() {
      // head and body share the user's weights; there is nothing of ours to free.
    },
  };
}
