import type * as tf from '@tensorflow/tfjs';
import { isObject } from './json.js';

/**
 * Weights Keras 3 names differently from Keras 2 (and so from TF.js), per layer class:
 * Keras 3's DepthwiseConv2D/DepthwiseConv1D call their kernel `kernel`, where TF.js (like
 * Keras 2) looks for `depthwise_kernel`.
 */
const KERAS3_WEIGHT_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  DepthwiseConv2D: { kernel: 'depthwise_kernel' },
  DepthwiseConv1D: { kernel: 'depthwise_kernel' },
};

function collectLayerClasses(node: unknown, into: Map<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectLayerClasses(item, into);
    return;
  }
  if (!isObject(node)) return;
  const config = node['config'];
  if (typeof node['class_name'] === 'string' && isObject(config) && typeof config['name'] === 'string') {
    into.set(config['name'], node['class_name']);
  }
  if (isObject(config) && Array.isArray(config['layers'])) collectLayerClasses(config['layers'], into);
  else if (Array.isArray(config)) collectLayerClasses(config, into);
  if (isObject(node['model_config'])) collectLayerClasses(node['model_config'], into);
}

/**
 * Renames the weights of a Keras 3 export to the names TF.js gives the same variables
 * (`block_1_depthwise/kernel` → `block_1_depthwise/depthwise_kernel`), matching the layer
 * name just before the last `/`. A layer whose weights already use the TF.js name (a Keras 2
 * export) is left alone, so this is safe on any LayersModel. Returns new specs.
 *
 * @example
 * renameKeras3Weights(modelTopology, [{ name: 'dw/kernel', shape: [3, 3, 8, 1], dtype: 'float32' }]);
 * // [{ name: 'dw/depthwise_kernel', ... }] when "dw" is a DepthwiseConv2D
 */
export function renameKeras3Weights(topology: unknown, specs: readonly tf.io.WeightsManifestEntry[]): tf.io.WeightsManifestEntry[] {
  const classes = new Map<string, string>();
  collectLayerClasses(topology, classes);
  const names = new Set(specs.map((s) => s.name));
  return specs.map((spec) => {
    const cut = spec.name.lastIndexOf('/');
    if (cut < 0) return spec;
    const prefix = spec.name.slice(0, cut);
    const layer = prefix.slice(prefix.lastIndexOf('/') + 1);
    const renamed = KERAS3_WEIGHT_RENAMES[classes.get(layer) ?? '']?.[spec.name.slice(cut + 1)];
    if (renamed === undefined || names.has(`${prefix}/${renamed}`)) return spec;
    return { ...spec, name: `${prefix}/${renamed}` };
  });
}
