import { InvalidInputError } from '../errors.js';
import type { Size2D } from '../inputs.js';
import { resolvePreprocess, type ChannelTransform, type PreprocessPreset } from './preprocess.js';

/** The sidecar file name a model folder may carry beside its model.json. */
export const SIDECAR_FILE = 'wgcam.json';
/** What Teachable Machine exports beside its model.json. */
export const TEACHABLE_MACHINE_FILE = 'metadata.json';

/** What a model folder says about its model: every field optional. */
export interface ModelSidecar {
  readonly preprocess?: PreprocessPreset | ChannelTransform;
  /** Class names, or a file beside the model that holds them, or 'imagenet'. */
  readonly labels?: string | readonly string[];
  readonly layer?: string;
  readonly inputSize?: Size2D;
}

const FIELDS = new Set(['preprocess', 'labels', 'layer', 'inputSize', 'description']);

/**
 * Checks a parsed `wgcam.json`: `{ "preprocess": "caffe" | { "scale", "offset",
 * "channelOrder" }, "labels": [...] | "labels.txt" | "imagenet", "layer": "...",
 * "inputSize": { "width", "height" }, "description": "..." }`. Unknown fields are refused,
 * so that a misspelt one does not silently change nothing.
 *
 * @example
 * const sidecar = parseModelSidecar(JSON.parse(text), 'resnet50/wgcam.json');
 */
export function parseModelSidecar(json: unknown, where: string): ModelSidecar {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidInputError(`${where} must hold a JSON object`);
  const unknown = Object.keys(json).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) throw new InvalidInputError(`${where} has unknown fields ${unknown.join(', ')}; it may hold ${[...FIELDS].join(', ')}`);
  const fields = json as Record<string, unknown>;
  const preprocess = fields['preprocess'] as PreprocessPreset | ChannelTransform | undefined;
  if (preprocess !== undefined) {
    if (typeof preprocess === 'function') throw new InvalidInputError(`${where}: preprocess must be a preset name or { scale, offset, channelOrder }`);
    try {
      resolvePreprocess(preprocess);
    } catch (error) {
      throw new InvalidInputError(`${where}: ${(error as Error).message}`);
    }
  }
  const layer = fields['layer'];
  if (layer !== undefined && typeof layer !== 'string') throw new InvalidInputError(`${where}: layer must be a string`);
  const labels = fields['labels'];
  if (labels !== undefined && typeof labels !== 'string' && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) {
    throw new InvalidInputError(`${where}: labels must be an array of names, a file name beside it, or "imagenet"`);
  }
  const size = fields['inputSize'] as Partial<Size2D> | null | undefined;
  if (size !== undefined && (!size || !Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width! < 1 || size.height! < 1)) {
    throw new InvalidInputError(`${where}: inputSize must be { "width": W, "height": H } with positive whole numbers; got ${JSON.stringify(size)}`);
  }
  return {
    ...(preprocess !== undefined ? { preprocess } : {}),
    ...(labels !== undefined ? { labels: labels as string | string[] } : {}),
    ...(typeof layer === 'string' ? { layer } : {}),
    ...(size ? { inputSize: { width: size.width!, height: size.height! } } : {}),
  };
}

/**
 * Teachable Machine's `metadata.json`: its labels, and the [-1, 1] input ('tf') its image
 * models take; null when the JSON is not such a file.
 *
 * @example
 * const tm = parseTeachableMachineMetadata(JSON.parse(text)); // { labels: [...], preprocess: 'tf' }
 */
export function parseTeachableMachineMetadata(json: unknown): ModelSidecar | null {
  const labels = (json as { labels?: unknown } | null)?.labels;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) return null;
  return { labels: labels as string[], preprocess: 'tf' };
}
