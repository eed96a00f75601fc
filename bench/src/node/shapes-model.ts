// Loads the bundled shapes CNN (a TF.js LayersModel in models/shapes-cnn/) from disk.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

interface ModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads `path` (a model.json) with its weight shards, or returns null when it is absent.
 *
 * @example
 * const model = await loadLayersModelFile('models/shapes-cnn/model.json');
 */
export async function loadLayersModelFile(path: string): Promise<tf.LayersModel | null> {
  if (!existsSync(path)) return null;
  const json = JSON.parse(await readFile(path, 'utf8')) as ModelJson;
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((shard) => readFile(join(dirname(path), shard)))));
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer }));
}
