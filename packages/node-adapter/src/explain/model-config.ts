import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidInputError, type Size2D } from '@wgcam/core';
import { describePreprocess, parseModelSidecar, parseTeachableMachineMetadata, resolvePreprocess, SIDECAR_FILE, TEACHABLE_MACHINE_FILE, type ModelSidecar, type Preprocess } from '@wgcam/core/tfjs';
import { readLabels } from './labels.js';

/**
 * A model given as its folder means the folder's model.json.
 *
 * @example
 * resolveModelPath('models/resnet50'); // 'models/resnet50/model.json'
 */
export function resolveModelPath(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'model.json') : path;
  } catch {
    return path; // a missing path is reported by the loader, with its own message
  }
}

/** What callers may give; anything left out comes from the model folder's files. */
export interface ModelConfigOptions {
  readonly labels?: string | readonly string[] | undefined;
  readonly preprocess?: Preprocess | undefined;
  readonly layer?: string | undefined;
  readonly inputSize?: Size2D | undefined;
}

/** How to feed and read a model, from the options, its sidecar, or defaults. */
export interface ModelConfig {
  readonly labels: readonly string[] | undefined;
  readonly preprocess: Preprocess;
  readonly layer: string | undefined;
  readonly inputSize: Size2D | undefined;
  /** Where each setting came from, for reports: e.g. "preprocess tf (metadata.json)". */
  readonly origins: readonly string[];
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`${path} is not valid JSON (${(error as Error).message})`);
  }
}

function labelsPath(value: string, folder: string): string {
  return value === 'imagenet' ? value : join(folder, value);
}

/**
 * The model's labels, preprocessing, layer and input size: explicit options first, then
 * the folder's `wgcam.json`, then Teachable Machine's `metadata.json`, then a
 * `labels.json` beside the model; preprocessing defaults to 'unit' (x / 255).
 *
 * @example
 * const config = await resolveModelConfig({ preprocess: 'caffe' }, 'resnet50/model.json');
 */
export async function resolveModelConfig(options: ModelConfigOptions, modelPath: string | undefined): Promise<ModelConfig> {
  const folder = modelPath ? dirname(modelPath) : undefined;
  const origins: string[] = [];
  let sidecar: ModelSidecar = {};
  let sidecarName = '';
  if (folder && existsSync(join(folder, SIDECAR_FILE))) {
    sidecar = parseModelSidecar(await readJson(join(folder, SIDECAR_FILE)), join(folder, SIDECAR_FILE));
    sidecarName = SIDECAR_FILE;
  } else if (folder && existsSync(join(folder, TEACHABLE_MACHINE_FILE))) {
    const tm = parseTeachableMachineMetadata(await readJson(join(folder, TEACHABLE_MACHINE_FILE)));
    if (tm) {
      sidecar = tm;
      sidecarName = `${TEACHABLE_MACHINE_FILE} (Teachable Machine)`;
    }
  }

  let labels: readonly string[] | undefined;
  if (Array.isArray(options.labels)) {
    labels = options.labels as readonly string[];
    origins.push('labels given');
  } else if (typeof options.labels === 'string') {
    labels = await readLabels(options.labels);
    origins.push(`labels ${options.labels}`);
  } else if (sidecar.labels !== undefined) {
    labels = typeof sidecar.labels === 'string' ? await readLabels(labelsPath(sidecar.labels, folder!)) : sidecar.labels;
    origins.push(`labels from ${sidecarName}`);
  } else if (folder && existsSync(join(folder, 'labels.json'))) {
    labels = await readLabels(join(folder, 'labels.json'));
    origins.push('labels.json');
  }

  let preprocess: Preprocess = 'unit';
  if (options.preprocess !== undefined) {
    preprocess = options.preprocess;
    origins.push(`preprocess ${describePreprocess(preprocess)}`);
  } else if (sidecar.preprocess !== undefined) {
    preprocess = sidecar.preprocess;
    origins.push(`preprocess ${describePreprocess(preprocess)} (${sidecarName})`);
  } else {
    origins.push('preprocess unit (x/255, the default: set --preprocess or a wgcam.json if the model expects another)');
  }
  resolvePreprocess(preprocess);

  const layer = options.layer ?? sidecar.layer;
  if (options.layer === undefined && sidecar.layer !== undefined) origins.push(`layer from ${sidecarName}`);
  const inputSize = options.inputSize ?? sidecar.inputSize;
  return { labels, preprocess, layer, inputSize, origins };
}
