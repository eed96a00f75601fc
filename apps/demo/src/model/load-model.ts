import * as tf from '@tensorflow/tfjs';
import { SIDECAR_FILE, TEACHABLE_MACHINE_FILE, withKerasCompat } from '@wgcam/core/tfjs';
import { ModelLoadFailure, type LoadedModel } from './loaded-model.js';
import { isGraphModel, parseLabels, parseModelJson } from './model-json.js';
import { modelFolderFacts, type FolderFacts } from './model-folder.js';

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

async function textBeside(modelUrl: string, name: string): Promise<string | undefined> {
  const response = await fetch(new URL(name, modelUrl)).catch(() => null);
  return response?.ok ? response.text() : undefined;
}

/** wgcam.json or Teachable Machine's metadata.json, else a labels.json, beside a model URL. */
async function factsNextTo(modelUrl: string): Promise<FolderFacts> {
  const facts = await modelFolderFacts((name) => textBeside(modelUrl, name));
  if (facts.labels) return facts;
  const labelsText = await textBeside(modelUrl, 'labels.json');
  const labels = labelsText === undefined ? undefined : parseLabels(labelsText);
  return labels ? { ...facts, labels } : facts;
}

function withFacts(model: LoadedModel['model'], facts: FolderFacts, source: string): LoadedModel {
  return { model, labels: facts.labels, source, ...(facts.preprocess ? { preprocess: facts.preprocess } : {}), ...(facts.layer ? { layer: facts.layer } : {}), ...(facts.from ? { describedBy: facts.from } : {}) };
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
  const [model, facts] = await Promise.all([
    // Keras 3 exports and Keras 2 models TF.js cannot read as they are load through wgcam's Keras translation.
    (isGraphModel(json) ? tf.loadGraphModel(absolute) : tf.loadLayersModel(withKerasCompat(tf.io.http(absolute), { source: absolute }))).catch((error: unknown) => {
      throw new ModelLoadFailure(`${absolute} could not be loaded: ${(error as Error).message}`, { cause: error });
    }),
    factsNextTo(absolute),
  ]);
  return withFacts(model, facts, url);
}

/**
 * Loads a model from dropped or chosen files: its model.json, every weight file it names,
 * and optionally a labels.json.
 *
 * @example
 * input.onchange = async () => show(await loadModelFromFiles([...input.files!]));
 */
export async function loadModelFromFiles(files: readonly File[]): Promise<LoadedModel> {
  const described = new Set(['labels.json', SIDECAR_FILE, TEACHABLE_MACHINE_FILE]);
  const jsonFiles = files.filter((f) => f.name.endsWith('.json') && !described.has(f.name));
  if (jsonFiles.length !== 1) {
    throw new ModelLoadFailure(`drop exactly one model.json with its .bin weight files (and optionally labels.json, wgcam.json or Teachable Machine's metadata.json); got ${jsonFiles.length} model JSON files`);
  }
  const modelFile = jsonFiles[0]!;
  const json = parseModelJson(await modelFile.text(), modelFile.name);
  const names = new Set(files.map((f) => f.name));
  const missing = (json.weightsManifest ?? []).flatMap((group) => group.paths).filter((path) => !names.has(path.split('/').pop() ?? path));
  if (missing.length > 0) throw new ModelLoadFailure(`${modelFile.name} needs weight files that were not dropped: ${missing.join(', ')}`);
  const weights = files.filter((f) => f !== modelFile && !described.has(f.name) && !f.name.endsWith('.txt'));
  const handler = tf.io.browserFiles([modelFile, ...weights]);
  let model: tf.LayersModel | tf.GraphModel;
  try {
    model = isGraphModel(json) ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(withKerasCompat(handler, { source: modelFile.name }));
  } catch (error) {
    throw new ModelLoadFailure(`${modelFile.name} could not be loaded: ${(error as Error).message}`, { cause: error });
  }
  const readDropped = async (name: string): Promise<string | undefined> => files.find((f) => f.name === name)?.text();
  let facts: FolderFacts;
  try {
    facts = await modelFolderFacts(readDropped);
    if (!facts.labels) {
      const labelsText = await readDropped('labels.json');
      const labels = labelsText === undefined ? undefined : parseLabels(labelsText);
      if (labels) facts = { ...facts, labels };
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return withFacts(model, facts, modelFile.name);
}
