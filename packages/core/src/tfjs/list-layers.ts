import * as tf from '@tensorflow/tfjs';
import type { Size2D } from '../inputs.js';
import type { LayerInfo } from './layer-names.js';
import { listGraphModelLayers } from './split-graph.js';
import { listLayersModelLayers } from './split-layers.js';

/**
 * The layers of a LayersModel or GraphModel that CAM methods can explain, in computation
 * order: name (Keras name or path through nested models), output shape, which one is
 * picked automatically, and why a layer is refused when it is.
 *
 * @example
 * for (const l of listLayers(model)) console.log(l.name, l.shape, l.automatic ? '(automatic)' : '', l.refused ?? '');
 */
export function listLayers(model: tf.LayersModel | tf.GraphModel, inputSize?: Size2D): LayerInfo[] {
  return model instanceof tf.GraphModel ? listGraphModelLayers(model, inputSize) : listLayersModelLayers(model);
}
