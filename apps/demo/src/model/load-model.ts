import * as tf from '@tensorflow/tfjs';
import { withKerasCompat } from '@wgcam/core/tfjs';
import { ModelLoadFailure, type LoadedModel } from './loaded-model.js';
import { isGraphModel, parseLabels, parseModelJson } from './model-json.js';

async function fetchText(url: string, what: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelLoadFailure(`could not fetch ${what} from ${url}: ${(error as Error).message} (offline, or the server does not allow cross-origin requests)`, { cause: error });
  }
  if (!response.ok) throw new ModelLoadFailure(`no ${what} at ${url} (HTTP ${response.status} ${response.statusText})`);
  return response.text();
}

async function labelsNextTo(modelUrl: string): Promise<string[] | undefined> {
  const response = await fetch(new URL('labels.json', modelUrl)).catch(() => null);
  return response?.ok ? parseLabels(await response.text()) : undefined;
}

/**
 * Loads a TF.js LayersModel or GraphModel from the URL of its model.json (relative URLs
 * resolve against the page), with class names from a labels.json beside it when present.
 *
 * @example
 * const { model, labels } = await loadModelFromUrl('models/shapes-cnn/model.json');
 */
export async function loadModelFromUrl(url: string): Promise<LoadedModel> {
  const absolute = new URL(url, document.baseURI).href;
  const json = parseModelJson(await fetchText(absolute, 'model.json'), absolute);
  const [model, labels] = await Promise.all([
    // Keras 3 exports and Keras 2 models TF.js cannot read as they are load through wgcam's Keras translation.
    (isGraphModel(json) ? tf.loadGraphModel(absolute) : tf.loadLayersModel(withKerasCompat(tf.io.http(absolute), { source: absolute }))).catch((error: unknown) => {
      throw new ModelLoadFailure(`${absolute} could not be loaded: ${(error as Error).message}`, { cause: error });
    }),
    labelsNextTo(absolute),
  ]);
  return { model, labels, source: url };
}

/**
 * Loads a model from dropped or chosen files: its model.json, every weight file it names,
 * and optionally a labels.json.
 *
 * @example
 * input.onchange = async () => show(await loadModelFromFiles([...input.files!]));
 */
export async function loadModelFromFiles(files: readonly File[]): Promise<LoadedModel> {
  const jsonFiles = files.filter((f) => f.name.endsWith('.json') && f.name !== 'labels.json');
  if (jsonFiles.length !== 1) {
    throw new ModelLoadFailure(`drop exactly one model.json with its .bin weight files (and optionally labels.json); got ${jsonFiles.length} model JSON files`);
  }
  const modelFile = jsonFiles[0]!;
  const json = parseModelJson(await modelFile.text(), modelFile.name);
  const names = new Set(files.map((f) => f.name));
  const missing = (json.weightsManifest ?? []).flatMap((group) => group.paths).filter((path) => !names.has(path.split('/').pop() ?? path));
  if (missing.length > 0) throw new ModelLoadFailure(`${modelFile.name} needs weight files that were not dropped: ${missing.join(', ')}`);
  const weights = files.filter((f) => f !== modelFile && f.name !== 'labels.json');
  const handler = tf.io.browserFiles([modelFile, ...weights]);
  let model: tf.LayersModel | tf.GraphModel;
  try {
    model = isGraphModel(json) ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(withKerasCompat(handler, { source: modelFile.name }));
  } catch (error) {
    throw new ModelLoadFailure(`${modelFile.name} could not be loaded: ${(error as Error).message}`, { cause: error });
  }
  const labelsFile = files.find((f) => f.name === 'labels.json');
  return { model, labels: labelsFile ? parseLabels(await labelsFile.text()) : undefined, source: modelFile.name };
}
