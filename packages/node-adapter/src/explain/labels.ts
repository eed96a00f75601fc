import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidInputError } from '@wgcam/core';

/** The name that stands for ImageNet's 1,000 class names. */
export const IMAGENET = 'imagenet';

async function imagenetLabels(): Promise<string[]> {
  // The names ship in the npm registry's MobileNet package; nothing is downloaded.
  const { IMAGENET_CLASSES } = (await import('@tensorflow-models/mobilenet/dist/imagenet_classes.js')) as { IMAGENET_CLASSES: Record<number, string> };
  return Array.from({ length: 1000 }, (_, i) => IMAGENET_CLASSES[i] ?? String(i));
}

function fromJson(json: unknown, where: string): string[] {
  if (Array.isArray(json)) {
    if (json.every((l) => typeof l === 'string')) return json;
    throw new InvalidInputError(`${where} holds an array, but not only strings; class names must be strings`);
  }
  if (typeof json === 'object' && json !== null) {
    const labels = (json as { labels?: unknown }).labels;
    if (labels !== undefined) return fromJson(labels, `${where} (its "labels")`);
    // Keras's imagenet_class_index.json: { "0": ["n01440764", "tench"], ... }.
    const entries = Object.entries(json);
    const indexed = entries.every(([k, v]) => /^\d+$/.test(k) && Array.isArray(v) && typeof v[1] === 'string');
    if (indexed && entries.length > 0) {
      const names: string[] = [];
      for (const [k, v] of entries) names[Number(k)] = (v as string[])[1]!;
      const missing = names.findIndex((n) => n === undefined);
      if (missing >= 0 || names.length !== entries.length) throw new InvalidInputError(`${where} looks like a Keras class index but class ${missing} is missing`);
      return names;
    }
  }
  throw new InvalidInputError(`${where} is JSON but not a list of class names; give an array of names, { "labels": [...] }, or Keras's class index { "0": ["id", "name"], ... }`);
}

/**
 * Class names from a JSON array, an object with a `labels` array (Teachable Machine's
 * metadata.json), Keras's `imagenet_class_index.json`, or a text file with one name per
 * line; `'imagenet'` gives ImageNet's 1,000 names.
 *
 * @example
 * await readLabels('imagenet');          // ['tench, Tinca tinca', 'goldfish, Carassius auratus', ...]
 * await readLabels('my-model/labels.txt');
 */
export async function readLabels(source: string): Promise<string[]> {
  if (source === IMAGENET) return imagenetLabels();
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(
      code === 'ENOENT'
        ? `labels file ${source} does not exist; give a JSON array, a text file with one name per line, or 'imagenet'`
        : `labels file ${source} cannot be read (${code})`,
    );
  }
  const trimmed = text.trim();
  if (extname(source).toLowerCase() === '.json' || trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError(`${source} is not valid JSON (${(error as Error).message}); it must hold class names`);
    }
    return fromJson(json, source);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InvalidInputError(`labels file ${source} is empty`);
  if (lines.includes('')) throw new InvalidInputError(`labels file ${source} has an empty line at ${lines.indexOf('') + 1}; every class needs a name`);
  return lines;
}

/** Checks that the labels name every class the model outputs, no more and no fewer. */
export function checkLabelCount(labels: readonly string[], classes: number, where: string): void {
  if (labels.length !== classes) {
    throw new InvalidInputError(`${where} names ${labels.length} classes but the model outputs ${classes}; give one name per class, in the model's order`);
  }
}
