import * as tf from '@tensorflow/tfjs';
import { CustomScaleLayer } from './custom-scale-layer.js';
import { KerasNormalization } from './normalization-layer.js';

let registered = false;

/**
 * Registers the Keras layer classes TF.js lacks (`Normalization`, InceptionResNetV2's
 * `CustomScaleLayer`) with TF.js's serialisation registry, once. Loading through
 * `translateModelArtifacts` or `withKerasCompat` calls it for you; call it yourself only
 * when you hand a translated topology to TF.js some other way.
 *
 * @example
 * registerKerasLayers();
 * const model = await tf.loadLayersModel(handler);
 */
export function registerKerasLayers(): void {
  // An explicit call rather than an import side effect: bundlers may drop side-effect-only
  // imports, and registering twice would only repeat work.
  if (registered) return;
  tf.serialization.registerClass(KerasNormalization);
  tf.serialization.registerClass(CustomScaleLayer);
  registered = true;
}
