// A classifier prepared for the benchmark: split at the layer that feeds global average
// pooling (the layer CAM methods explain), with the sizes every suite needs.
import type * as tf from '@tensorflow/tfjs';
import { splitModel, type SplitModel } from './split-model.js';

/** The models the benchmark knows. */
export const MODEL_NAMES = ['shapes-cnn', 'mobilenetv2-style', 'resnet50-style'] as const;
export type ModelName = (typeof MODEL_NAMES)[number] | `scaling-cnn-c${number}`;

/** A model ready to time. */
export interface BenchModel {
  readonly name: ModelName;
  readonly model: tf.LayersModel;
  readonly split: SplitModel;
  readonly targetLayer: string;
  /** Model input size, [H, W, Cin]. */
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  /** Target-layer size, [h, w, C]. */
  readonly feature: { readonly height: number; readonly width: number; readonly channels: number };
  readonly classes: number;
}

function dims(shape: readonly (number | null)[], what: string): [number, number, number] {
  const [, h, w, c] = shape;
  if (shape.length !== 4 || !h || !w || !c) throw new Error(`${what} must be [batch, h, w, C] with known sizes; got [${shape.join(', ')}]`);
  return [h, w, c];
}

/** The layer whose output the GlobalAveragePooling2D layer reads. */
function layerBeforePooling(model: tf.LayersModel): string {
  const pooling = model.layers.find((layer) => layer.getClassName() === 'GlobalAveragePooling2D');
  const source = pooling?.inboundNodes[0]?.inboundLayers[0];
  if (!source) throw new Error(`model '${model.name}' has no GlobalAveragePooling2D layer; the benchmark explains the layer before it`);
  return source.name;
}

/** The logits layer: one named 'logits', else the last Dense layer. */
function logitsLayer(model: tf.LayersModel): string {
  const named = model.layers.find((layer) => layer.name === 'logits');
  const dense = named ?? [...model.layers].reverse().find((layer) => layer.getClassName() === 'Dense');
  if (!dense) throw new Error(`model '${model.name}' has no Dense layer to take logits from`);
  return dense.name;
}

/**
 * Splits `model` at the layer before its global average pooling and records its sizes.
 *
 * @example
 * const bench = prepareBenchModel('resnet50-style', buildResNet50(11));
 * bench.feature; // { height: 7, width: 7, channels: 2048 }
 */
export function prepareBenchModel(name: ModelName, model: tf.LayersModel): BenchModel {
  const targetLayer = layerBeforePooling(model);
  const logits = logitsLayer(model);
  const [height, width, channels] = dims(model.inputs[0]?.shape ?? [], 'the model input');
  const [fh, fw, fc] = dims(model.getLayer(targetLayer).outputShape as (number | null)[], `layer '${targetLayer}'`);
  const classesShape = model.getLayer(logits).outputShape as (number | null)[];
  const classes = classesShape[classesShape.length - 1];
  if (!classes) throw new Error(`layer '${logits}' has no known class count`);
  return {
    name,
    model,
    split: splitModel(model, targetLayer, logits),
    targetLayer,
    input: { height, width, channels },
    feature: { height: fh, width: fw, channels: fc },
    classes,
  };
}
