import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';
import type { SplitModel } from './split-model.js';

type Symbolic = tf.SymbolicTensor;

function outputShapeOf(layer: tf.layers.Layer): (number | null)[] | null {
  const shape = layer.outputShape;
  return Array.isArray(shape) && !Array.isArray(shape[0]) ? (shape as (number | null)[]) : null;
}

function isSpatial(layer: tf.layers.Layer): boolean {
  const shape = outputShapeOf(layer);
  return shape !== null && shape.length === 4 && layer.getClassName() !== 'InputLayer';
}

function activationName(layer: tf.layers.Layer): string | undefined {
  const config = layer.getConfig() as { activation?: unknown };
  return typeof config.activation === 'string' ? config.activation : undefined;
}

/** Names of the layers a user may pick: those with a 4-D [B, h, w, C] output. */
export function spatialLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter(isSpatial).map((l) => l.name);
}

function pickLayer(model: tf.LayersModel, name: string | undefined): { layer: tf.layers.Layer; automatic: boolean } {
  const candidates = spatialLayerNames(model);
  if (name === undefined) {
    const last = candidates[candidates.length - 1];
    if (!last) throw new ModelError('the model has no layer with a 4-D [B, h, w, C] output to explain; CAM methods need a convolutional feature map');
    return { layer: model.getLayer(last), automatic: true };
  }
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(name);
  } catch {
    throw new ModelError(`the model has no layer named '${name}'; layers with a 4-D output: ${candidates.join(', ') || '(none)'}`);
  }
  if (!isSpatial(layer)) {
    throw new ModelError(
      `layer '${name}' outputs shape [${(outputShapeOf(layer) ?? []).map(String).join(', ')}], not a 4-D [B, h, w, C] feature map; ` +
        `choose one of: ${candidates.join(', ') || '(none)'}`,
    );
  }
  return { layer, automatic: false };
}

/** The tensor holding pre-softmax logits, and the dense layer to finish them with when its own activation is softmax. */
function logitsSource(model: tf.LayersModel): { tensor: Symbolic; softmaxDense: tf.layers.Layer | null } {
  if (model.outputs.length !== 1) throw new ModelError(`the model has ${model.outputs.length} outputs; wgcam explains single-output classifiers`);
  const output = model.outputs[0]!;
  const last = output.sourceLayer;
  const node = last.inboundNodes[output.nodeIndex];
  const input = node?.inputTensors[0];
  if (activationName(last) === 'softmax' && input) {
    return last.getClassName() === 'Dense' ? { tensor: input, softmaxDense: last } : { tensor: input, softmaxDense: null };
  }
  if (last.getClassName() === 'Softmax' && input) return { tensor: input, softmaxDense: null };
  return { tensor: output, softmaxDense: null };
}

/**
 * The symbolic output of `layer` inside this model's graph, found by walking back from
 * the logits. `layer.output` is not enough: once a layer has been applied again (as
 * every earlier split's head does) it has several outputs and `output` throws. A layer
 * applied more than once inside the model itself has no single output to cut at.
 */
function outputInGraph(layer: tf.layers.Layer, from: Symbolic): Symbolic | null {
  const seen = new Set<number>();
  const uses = new Map<number, Symbolic>();
  const stack = [from];
  while (stack.length > 0) {
    const symbolic = stack.pop()!;
    if (seen.has(symbolic.id)) continue;
    seen.add(symbolic.id);
    if (symbolic.sourceLayer === layer) uses.set(symbolic.id, symbolic);
    const node = symbolic.sourceLayer.inboundNodes[symbolic.nodeIndex];
    if (node) stack.push(...node.inputTensors);
  }
  if (uses.size > 1) {
    throw new ModelError(`layer '${layer.name}' is applied ${uses.size} times in the model, so it has no single output to explain; choose a layer that is used once`);
  }
  return uses.values().next().value ?? null;
}

function denseLogits(features: tf.Tensor, dense: tf.layers.Layer): tf.Tensor2D {
  const [kernel, bias] = dense.getWeights();
  const product = tf.matMul(features as tf.Tensor2D, kernel as tf.Tensor2D);
  return (bias ? tf.add(product, bias) : product) as tf.Tensor2D;
}

/**
 * Cuts a LayersModel at `layerName` (or the last layer with a 4-D output): a body model
 * returning the layer's activations and the logits in one pass, and a head model that
 * recomputes the logits from the activations, built by re-applying the layers after the
 * cut to a new input (weights are shared, nothing is copied).
 *
 * @example
 * const split = splitLayersModel(model, 'last_conv');
 * const { activations, logits } = split.forward(input);
 */
export function splitLayersModel(model: tf.LayersModel, layerName?: string): SplitModel {
  if (model.inputs.length !== 1) throw new ModelError(`the model has ${model.inputs.length} inputs; wgcam explains single-input image classifiers`);
  const { layer, automatic } = pickLayer(model, layerName);
  const { tensor: logitsTensor, softmaxDense } = logitsSource(model);
  const cut = outputInGraph(layer, logitsTensor);
  if (!cut) {
    throw new ModelError(`layer '${layer.name}' does not feed the model's prediction; choose a layer on the path to the output: ${spatialLayerNames(model).join(', ')}`);
  }
  const inputShape = model.inputs[0]?.shape;
  if (!inputShape || inputShape.length !== 4 || inputShape.slice(1).some((d) => d === null)) {
    throw new ModelError(`the model input has shape [${(inputShape ?? []).join(', ')}]; wgcam needs a fixed [B, H, W, C] image input`);
  }

  const headInput = tf.input({ shape: cut.shape.slice(1) as number[], name: `${layer.name}_wgcam_head_input` });
  const rebuilt = new Map<number, Symbolic>([[cut.id, headInput]]);
  const path: string[] = [];
  const rebuild = (symbolic: Symbolic): Symbolic => {
    const known = rebuilt.get(symbolic.id);
    if (known) return known;
    const source = symbolic.sourceLayer;
    const node = source.inboundNodes[symbolic.nodeIndex];
    // Reaching the model's input (whose node lists the input itself) means a path around the cut.
    if (!node || node.inputTensors.length === 0 || source.getClassName() === 'InputLayer') {
      throw new ModelError(
        `layer '${layer.name}' is not a cut point of the model: the prediction also depends on '${source.name}' without passing through it. ` +
          'Choose a layer whose output alone determines the prediction, e.g. the output of the last block.',
      );
    }
    const inputs = node.inputTensors.map(rebuild);
    const applied = source.apply(inputs.length === 1 ? inputs[0]! : inputs) as Symbolic | Symbolic[];
    const out = Array.isArray(applied) ? applied[symbolic.tensorIndex]! : applied;
    rebuilt.set(symbolic.id, out);
    path.push(source.getClassName());
    return out;
  };
  const headOutput = rebuild(logitsTensor);
  const head = tf.model({ inputs: headInput, outputs: headOutput, name: `${model.name}_wgcam_head` });
  const body = tf.model({ inputs: model.inputs, outputs: [cut, logitsTensor], name: `${model.name}_wgcam_body` });
  const logitsModel = tf.model({ inputs: model.inputs, outputs: logitsTensor, name: `${model.name}_wgcam_logits` });
  const finish = (t: tf.Tensor): tf.Tensor2D => (softmaxDense ? denseLogits(t, softmaxDense) : (t as tf.Tensor2D));
  const outputShape = (softmaxDense ? outputShapeOf(softmaxDense) : logitsTensor.shape) as (number | null)[];
  const classes = outputShape[outputShape.length - 1] ?? 0;

  return {
    layer: layer.name,
    automatic,
    inputShape: inputShape.slice(1) as [number, number, number],
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
        return `CAM needs global average pooling followed by one dense layer after '${layer.name}'; this model has ${path.join(' → ') || 'nothing'} there. Use Grad-CAM instead.`;
      }
      return dense.getWeights()[0] as tf.Tensor2D;
    },
    dispose() {
      // head and body share the user's weights; there is nothing of ours to free.
    },
  };
}
