import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '@wgcam/core/tfjs';

interface ModelJson {
  format?: string;
  modelTopology?: { node?: unknown[] } & Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  [key: string]: unknown;
}

async function readModelJson(path: string): Promise<ModelJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(code === 'ENOENT' ? `model file ${path} does not exist` : `model file ${path} cannot be read (${code})`, { cause: error });
  }
  try {
    const json = JSON.parse(text) as ModelJson;
    if (!json || typeof json !== 'object' || !json.modelTopology) throw new Error('no modelTopology');
    return json;
  } catch (error) {
    throw new ModelLoadError(`${path} is not a TF.js model.json (${(error as Error).message}); export the model with tfjs-converter or model.save()`, { cause: error });
  }
}

/** A tf.io handler that reads model.json and its weight shards from the file system. */
export function fileHandler(path: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await readModelJson(path);
      const manifest = json.weightsManifest ?? [];
      const specs = manifest.flatMap((group) => group.weights);
      const shards: Uint8Array[] = [];
      for (const group of manifest) {
        for (const shard of group.paths) {
          const shardPath = join(dirname(path), shard);
          try {
            shards.push(await readFile(shardPath));
          } catch (error) {
            throw new ModelLoadError(`weight file ${shardPath} named by ${path} is missing or unreadable`, { cause: error });
          }
        }
      }
      const total = shards.reduce((n, s) => n + s.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const shard of shards) {
        weightData.set(shard, offset);
        offset += shard.byteLength;
      }
      const { weightsManifest: _manifest, modelTopology, ...rest } = json;
      return { ...(rest as object), modelTopology, weightSpecs: specs, weightData: weightData.buffer } as tf.io.ModelArtifacts;
    },
  };
}

/**
 * Loads a TF.js LayersModel or GraphModel from a model.json path, telling them apart by
 * the file's `format` field (or a GraphDef topology).
 *
 * @example
 * const model = await loadModel('models/shapes-cnn/model.json');
 */
export async function loadModel(path: string): Promise<tf.LayersModel | tf.GraphModel> {
  const json = await readModelJson(path);
  const isGraph = json.format === 'graph-model' || Array.isArray(json.modelTopology?.node);
  try {
    return isGraph ? await tf.loadGraphModel(fileHandler(path)) : await tf.loadLayersModel(fileHandler(path));
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(`${path} could not be loaded as a ${isGraph ? 'graph' : 'layers'} model: ${(error as Error).message}`, { cause: error });
  }
}
