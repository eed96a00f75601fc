// Loads the bundled shapes CNN (a TF.js LayersModel in models/shapes-cnn/) from disk.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '@wgcam/node-adapter';

/**
 * Loads `path` (a model.json) with its weight shards, or returns null when it is absent.
 *
 * @example
 * const model = await loadLayersModelFile('models/shapes-cnn/model.json');
 */
export async function loadLayersModelFile(path: string): Promise<tf.LayersModel | null> {
  if (!existsSync(path)) return null;
  const model = await loadModel(path);
  if (!(model instanceof tf.LayersModel)) throw new Error(`${path} is a graph model; the benchmark's shapes CNN must be a LayersModel`);
  return model;
}
