/**
 * Loading the Keras models users bring as TF.js LayersModels: Keras 3 topologies
 * translated to the Keras 2 form TF.js reads, Keras 2 configs TF.js rejects repaired, the
 * Keras layers TF.js lacks implemented, and typed errors for what cannot work.
 *
 * @example
 * import { withKerasCompat } from '@wgcam/core/tfjs';
 * const model = await tf.loadLayersModel(withKerasCompat(tf.io.http(url), { source: url }));
 */
export { translateKerasTopology, translateModelArtifacts, withKerasCompat, isGraphTopology } from './translate.js';
export { registerKerasLayers } from './register.js';
export { KerasNormalization, KERAS_EPSILON } from './normalization-layer.js';
export type { KerasNormalizationArgs } from './normalization-layer.js';
export { CustomScaleLayer } from './custom-scale-layer.js';
export type { CustomScaleLayerArgs } from './custom-scale-layer.js';
export { GRAPH_MODEL_ADVICE } from './keras2-fixes.js';
