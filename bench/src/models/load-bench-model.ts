import type * as tf from '@tensorflow/tfjs';
import { prepareBenchModel, type BenchModel, type ModelName } from './bench-model.js';
import { buildMobileNetV2 } from './mobilenet-v2.js';
import { buildResNet50 } from './resnet50.js';

/** Loads the trained shapes CNN in this runtime (file system or URL); null when it is not there. */
export type ShapesModelLoader = () => Promise<tf.LayersModel | null>;

/**
 * Builds (or loads) one of the benchmark's models; null when the shapes CNN is missing.
 *
 * @example
 * const bench = await loadBenchModel('resnet50-style', loadShapes);
 */
export async function loadBenchModel(name: ModelName, loadShapes: ShapesModelLoader): Promise<BenchModel | null> {
  switch (name) {
    case 'mobilenetv2-style':
      return prepareBenchModel(name, buildMobileNetV2(7));
    case 'resnet50-style':
      return prepareBenchModel(name, buildResNet50(11));
    case 'shapes-cnn': {
      const model = await loadShapes();
      return model ? prepareBenchModel(name, model) : null;
    }
    default:
      throw new Error(`unknown benchmark model '${name}'`);
  }
}
