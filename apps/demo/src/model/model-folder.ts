import { isPreprocessPreset, parseModelSidecar, parseTeachableMachineMetadata, SIDECAR_FILE, TEACHABLE_MACHINE_FILE, type ModelSidecar, type PreprocessPreset } from '@wgcam/core/tfjs';
import { ModelLoadFailure } from './loaded-model.js';
import { parseLabels } from './model-json.js';

/** What a model folder's wgcam.json or Teachable Machine metadata.json says, as the page uses it. */
export interface FolderFacts {
  readonly labels?: readonly string[];
  readonly preprocess?: PreprocessPreset;
  readonly layer?: string;
  /** Which file said it, for the model line. */
  readonly from?: string;
}

/** Reads a labels file's text: JSON (array or { labels }) or one name per line. */
function labelsFromText(text: string, where: string): string[] {
  const json = parseLabels(text);
  if (json) return json;
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) throw new ModelLoadFailure(`${where} holds no class names`);
  return lines;
}

/**
 * Turns a parsed sidecar into what the page can apply. Labels given as a file name are
 * read with `readBeside`; the demo takes preset preprocessing ('unit', 'tf', 'caffe',
 * 'torch', 'raw') and has no copy of ImageNet's names, and says so instead of guessing.
 */
async function applySidecar(sidecar: ModelSidecar, from: string, readBeside: (name: string) => Promise<string | undefined>): Promise<FolderFacts> {
  if (sidecar.preprocess !== undefined && !isPreprocessPreset(sidecar.preprocess)) {
    throw new ModelLoadFailure(`${from} gives explicit scale/offset preprocessing; the demo offers the presets unit, tf, caffe, torch and raw (use one, or the wgcam CLI)`);
  }
  let labels: readonly string[] | undefined;
  if (Array.isArray(sidecar.labels)) labels = sidecar.labels;
  else if (sidecar.labels === 'imagenet') throw new ModelLoadFailure(`${from} asks for the ImageNet labels, which the demo does not bundle; give them as a labels file beside the model`);
  else if (typeof sidecar.labels === 'string') {
    const text = await readBeside(sidecar.labels);
    if (text === undefined) throw new ModelLoadFailure(`${from} names the labels file ${sidecar.labels}, which is not there`);
    labels = labelsFromText(text, sidecar.labels);
  }
  return { ...(labels ? { labels } : {}), ...(sidecar.preprocess ? { preprocess: sidecar.preprocess as PreprocessPreset } : {}), ...(sidecar.layer ? { layer: sidecar.layer } : {}), from };
}

/**
 * The folder facts of a model: its wgcam.json, else Teachable Machine's metadata.json,
 * else nothing. `readBeside(name)` gives a file's text next to the model, or undefined.
 *
 * @example
 * const facts = await modelFolderFacts((name) => fetch(new URL(name, url)).then((r) => (r.ok ? r.text() : undefined)));
 */
export async function modelFolderFacts(readBeside: (name: string) => Promise<string | undefined>): Promise<FolderFacts> {
  const sidecarText = await readBeside(SIDECAR_FILE);
  if (sidecarText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(sidecarText);
    } catch (error) {
      throw new ModelLoadFailure(`${SIDECAR_FILE} is not valid JSON (${(error as Error).message})`, { cause: error });
    }
    let sidecar: ModelSidecar;
    try {
      sidecar = parseModelSidecar(json, SIDECAR_FILE);
    } catch (error) {
      throw new ModelLoadFailure((error as Error).message, { cause: error });
    }
    return applySidecar(sidecar, SIDECAR_FILE, readBeside);
  }
  const metadataText = await readBeside(TEACHABLE_MACHINE_FILE);
  if (metadataText !== undefined) {
    try {
      const tm = parseTeachableMachineMetadata(JSON.parse(metadataText));
      if (tm) return applySidecar(tm, `${TEACHABLE_MACHINE_FILE} (Teachable Machine)`, readBeside);
    } catch {
      // not JSON, or not Teachable Machine's: the model still loads without it
    }
  }
  return {};
}
