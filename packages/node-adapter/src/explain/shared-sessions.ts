import type { ExplainableModel } from '@wgcam/core/tfjs';
import type { RgbaImage } from '../io/images.js';
import { BUNDLED_MODEL } from './bundled.js';
import { ExplainSession } from './session.js';
import type { BatchOptions, ImageExplanation, ImageReport, ModelOptions, RunOptions } from './types.js';

let functionKeys = 0;

// One session per (model, layer, labels, backend, preprocess, input size), so repeated calls load and cut a model once.
const byPath = new Map<string, Promise<ExplainSession>>();
const byModel = new WeakMap<ExplainableModel, Map<string, Promise<ExplainSession>>>();
// Every session opened here and where it is cached, so that closeExplainSessions can free them all.
const opened = new Map<Promise<ExplainSession>, { cache: Map<string, Promise<ExplainSession>>; key: string }>();

function sessionFor(options: ModelOptions): Promise<ExplainSession> {
  // A preprocessing function cannot be compared: each one gets a session of its own call.
  const preprocess = typeof options.preprocess === 'function' ? `function-${++functionKeys}` : (options.preprocess ?? null);
  const key = JSON.stringify([options.layer ?? null, options.labels ?? null, options.backend ?? 'auto', preprocess, options.inputSize ?? null]);
  let cache: Map<string, Promise<ExplainSession>>;
  let cacheKey: string;
  if (typeof options.model === 'object') {
    cache = byModel.get(options.model) ?? new Map();
    byModel.set(options.model, cache);
    cacheKey = key;
  } else {
    cache = byPath;
    cacheKey = JSON.stringify([options.model ?? BUNDLED_MODEL, key]);
  }
  let session = cache.get(cacheKey);
  if (!session) {
    const opening = ExplainSession.open(options);
    session = opening;
    opened.set(opening, { cache, key: cacheKey });
    // A model that failed to load is tried again on the next call.
    opening.catch(() => {
      opened.delete(opening);
      if (cache.get(cacheKey) === opening) cache.delete(cacheKey);
    });
    cache.set(cacheKey, opening);
  }
  return session;
}

/**
 * Explains one image file (PNG, JPEG, WebP, AVIF, GIF, TIFF): the top class, a heatmap and an overlay per method, and
 * (with `out`) the files `wgcam explain` writes. The model is loaded on first use and kept.
 *
 * @example
 * import { explainFile } from '@wgcam/node-adapter';
 * const result = await explainFile('samples/star.png', { method: 'gradcam++', out: 'wgcam-out' });
 * console.log(result.label, result.probability.toFixed(3), result.outputs);
 */
export async function explainFile(path: string, options: ModelOptions & RunOptions = {}): Promise<ImageExplanation> {
  return (await sessionFor(options)).explainFile(path, options);
}

/**
 * Explains RGBA pixels already in memory (any size; resized to the model's input).
 *
 * @example
 * import { decodeImage, explainImage } from '@wgcam/node-adapter';
 * const pixels = await decodeImage(await readFile('cat.jpg'));
 * const { methods } = await explainImage(pixels, { model: 'model/model.json', method: 'all' });
 * const heatmap = methods[0].items[0].heatmap; // Float32Array, values in [0, 1]
 */
export async function explainImage(pixels: RgbaImage, options: ModelOptions & RunOptions & { name?: string } = {}): Promise<ImageExplanation> {
  return (await sessionFor(options)).explainImage(pixels, options);
}

/**
 * Explains files and folders in GPU batches and writes every output to `out`; returns one
 * report per image (failed images have `ok: false` and an `error`, the rest still run).
 *
 * @example
 * const reports = await explainFiles(['photos/'], { method: 'all', out: 'explained', batch: 16 });
 */
export async function explainFiles(paths: readonly string[], options: ModelOptions & BatchOptions = {}): Promise<ImageReport[]> {
  return (await sessionFor(options)).explainFiles(paths, options);
}

/**
 * Frees what explainFile / explainImage / explainFiles keep between calls (after calls in
 * progress finish): the models they loaded from paths, the cut models.
 * Models passed in as objects stay the caller's; later calls open new sessions.
 */
export async function closeExplainSessions(): Promise<void> {
  const sessions = [...opened.keys()];
  for (const [session, { cache, key }] of opened) if (cache.get(key) === session) cache.delete(key);
  opened.clear();
  for (const session of await Promise.allSettled(sessions)) if (session.status === 'fulfilled') await session.value.dispose();
}
