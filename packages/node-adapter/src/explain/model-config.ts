import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidInputError, type Size2D } from '@wgcam/core';
import { describePreprocess, resolvePreprocess, type Preprocess } from '@wgcam/core/tfjs';
import { readLabels } from './labels.js';

/** The sidecar a model folder may carry beside model.json. */
export const SIDECAR = 'wgcam.json';
/** What Teachable Machine exports beside its model.json. */
export const TEACHABLE_MACHINE_METADATA = 'metadata.json';

/** How to feed and read a model, from the options, its sidecar, or defaults. */
export interface ModelConfig {
  readonly labels: readonly string[] | undefined;
  readonly preprocess: Preprocess;
  readonly layer: string | undefined;
  readonly inputSize: Size2D | undefined;
  /** Where each setting came from, for reports: e.g. "preprocess tf (metadata.json)". */
  readonly origins: readonly string[];
}

/** What callers may give; anything left out comes from the model folder's files. */
export interface ModelConfigOptions {
  readonly labels?: string | readonly string[] | undefined;
  readonly preprocess?: Preprocess | undefined;
  readonly layer?: string | undefined;
  readonly inputSize?: Size2D | undefined;
}

interface Sidecar {
  readonly preprocess?: Preprocess;
  readonly labels?: string | readonly string[];
  readonly layer?: string;
  readonly inputSize?: Size2D;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`${path} is not valid JSON (${(error as Error).message})`);
  }
}

function checkSize(value: unknown, where: string): Size2D {
  const size = value as Partial<Size2D> | null;
  if (!size || !Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width! < 1 || size.height! < 1) {
    throw new InvalidInputError(`${where}: inputSize must be { "width": W, "height": H } with positive whole numbers; got ${JSON.stringify(value)}`);
  }
  return { width: size.width!, height: size.height! };
}

/**
 * Reads `wgcam.json` beside a model: `{ "preprocess": "caffe" | { "scale", "offset",
 * "channelOrder" }, "labels": [...] | "labels.txt" | "imagenet", "layer": "...",
 * "inputSize": { "width", "height" } }`, every field optional. Unknown fields are refused
 * so that a typo does not silently change nothing.
 */
async function readSidecar(path: string): Promise<Sidecar> {
  const json = await readJson(path);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidInputError(`${path} must hold a JSON object`);
  const known = new Set(['preprocess', 'labels', 'layer', 'inputSize', 'description']);
  const unknown = Object.keys(json).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new InvalidInputError(`${path} has unknown fields ${unknown.join(', ')}; it may hold preprocess, labels, layer, inputSize and description`);
  const sidecar = json as Record<string, unknown>;
  if (sidecar['preprocess'] !== undefined) {
    try {
      resolvePreprocess(sidecar['preprocess'] as Preprocess);
    } catch (error) {
      throw new InvalidInputError(`${path}: ${(error as Error).message}`);
    }
  }
  if (sidecar['layer'] !== undefined && typeof sidecar['layer'] !== 'string') throw new InvalidInputError(`${path}: layer must be a string`);
  const labels = sidecar['labels'];
  if (labels !== undefined && typeof labels !== 'string' && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) {
    throw new InvalidInputError(`${path}: labels must be an array of names, a file name beside it, or "imagenet"`);
  }
  return {
    ...(sidecar['preprocess'] !== undefined ? { preprocess: sidecar['preprocess'] as Preprocess } : {}),
    ...(labels !== undefined ? { labels: labels as string | string[] } : {}),
    ...(sidecar['layer'] !== undefined ? { layer: sidecar['layer'] as string } : {}),
    ...(sidecar['inputSize'] !== undefined ? { inputSize: checkSize(sidecar['inputSize'], path) } : {}),
  };
}

/** Teachable Machine's metadata.json: its labels, and the [-1, 1] input its image models take. */
async function readTeachableMachine(path: string): Promise<Sidecar | null> {
  const json = (await readJson(path)) as { labels?: unknown; imageSize?: unknown; packageName?: unknown; tfjsVersion?: unknown } | null;
  if (!json || !Array.isArray(json.labels) || !json.labels.every((l) => typeof l === 'string')) return null;
  return { labels: json.labels as string[], preprocess: 'tf' };
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
  let sidecar: Sidecar = {};
  let sidecarName = '';
  if (folder && existsSync(join(folder, SIDECAR))) {
    sidecar = await readSidecar(join(folder, SIDECAR));
    sidecarName = SIDECAR;
  } else if (folder && existsSync(join(folder, TEACHABLE_MACHINE_METADATA))) {
    const tm = await readTeachableMachine(join(folder, TEACHABLE_MACHINE_METADATA));
    if (tm) {
      sidecar = tm;
      sidecarName = `${TEACHABLE_MACHINE_METADATA} (Teachable Machine)`;
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
