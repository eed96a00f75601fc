import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors.js';

/**
 * Which classes to explain: 'top1' (default), a class index or label, `{ topK: k }`, or
 * one entry per image of the batch (an index or a label each).
 */
export type TargetRequest = 'top1' | number | string | { readonly topK: number } | readonly (number | string)[];

function classIndex(target: number | string, classes: number, labels: readonly string[] | undefined): number {
  if (typeof target === 'string') {
    const index = labels?.indexOf(target) ?? -1;
    if (index < 0) throw new InvalidInputError(`unknown class label '${target}'; labels are: ${labels?.join(', ') ?? '(the model has no labels; give a class index)'}`);
    return index;
  }
  if (!Number.isInteger(target) || target < 0 || target >= classes) {
    throw new InvalidInputError(`target class ${target} is out of range: the model has classes 0..${classes - 1}`);
  }
  return target;
}

/** The classes to explain as a tensor on the backend, and as numbers when the request fixed them. */
export interface ChosenTargets {
  /** int32 [B, K] class indices, on the model's backend: top-k of the logits is chosen there, with no readback. */
  readonly indices: tf.Tensor2D;
  /** The same indices when they did not depend on the logits (a class, a label, one per image), else null until read. */
  readonly known: number[][] | null;
  /** Targets per image. */
  readonly k: number;
}

/**
 * Chooses the classes to explain without reading the logits back: 'top1' and `{ topK }`
 * become a top-k of the logits on the backend's device, so the backward pass can be
 * recorded right after the forward pass (no stall); explicit classes are checked here.
 * The caller disposes `indices`.
 *
 * @example
 * const chosen = chooseTargets('top1', logits, labels);
 * const gradients = targetGradients(split, activations, input, chosen.known ?? chosen.indices, 'logit');
 */
export function chooseTargets(request: TargetRequest | undefined, logits: tf.Tensor2D, labels: readonly string[] | undefined): ChosenTargets {
  const classes = logits.shape[1];
  const wanted = request ?? 'top1';
  if (wanted === 'top1' || (typeof wanted === 'object' && !Array.isArray(wanted))) {
    const k = wanted === 'top1' ? 1 : (wanted as { topK: number }).topK;
    if (!Number.isInteger(k) || k < 1 || k > classes) throw new InvalidInputError(`topK must be an integer in 1..${classes}; got ${k}`);
    const indices = tf.tidy(() => (k === 1 ? tf.argMax(logits, 1).expandDims(1) : tf.topk(logits, k).indices) as tf.Tensor2D);
    return { indices, known: null, k };
  }
  const rows = syncTargets(wanted, logits.shape[0], classes, labels);
  return { indices: tf.tensor2d(rows, [rows.length, 1], 'int32'), known: rows, k: 1 };
}

function syncTargets(wanted: number | string | readonly (number | string)[], batch: number, classes: number, labels: readonly string[] | undefined): number[][] {
  if (Array.isArray(wanted)) {
    if (wanted.length !== batch) throw new InvalidInputError(`${wanted.length} targets given for ${batch} images; give one per image`);
    return wanted.map((t) => [classIndex(t as number | string, classes, labels)]);
  }
  const index = classIndex(wanted as number | string, classes, labels);
  return Array.from({ length: batch }, () => [index]);
}

/**
 * The softmax probabilities and the chosen classes in one readback.
 *
 * @example
 * const { probabilities, targets } = await readPredictions(logits, chosen);
 */
export async function readPredictions(logits: tf.Tensor2D, chosen: ChosenTargets): Promise<{ probabilities: number[][]; targets: number[][] }> {
  const classes = logits.shape[1];
  const both = tf.tidy(() => tf.concat([tf.softmax(logits), chosen.indices.toFloat()], 1));
  try {
    const rows = (await both.array()) as number[][];
    return { probabilities: rows.map((r) => r.slice(0, classes)), targets: chosen.known ?? rows.map((r) => r.slice(classes).map((v) => Math.round(v))) };
  } finally {
    both.dispose();
  }
}

/**
 * The chosen classes as numbers: no readback when the request fixed them.
 *
 * @example
 * const rows = await readTargets(chosen); // [[3]]
 */
export async function readTargets(chosen: ChosenTargets): Promise<number[][]> {
  return chosen.known ?? ((await chosen.indices.array()) as number[][]);
}
