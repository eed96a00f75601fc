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

/** Class indices [B][K] for `request`, reading only the (small) logits when the request depends on them. */
export async function resolveTargetClasses(
  request: TargetRequest | undefined,
  logits: tf.Tensor2D,
  labels: readonly string[] | undefined,
): Promise<number[][]> {
  const [batch, classes] = logits.shape;
  const wanted = request ?? 'top1';
  if (wanted === 'top1' || (typeof wanted === 'object' && !Array.isArray(wanted))) {
    const k = wanted === 'top1' ? 1 : (wanted as { topK: number }).topK;
    if (!Number.isInteger(k) || k < 1 || k > classes) throw new InvalidInputError(`topK must be an integer in 1..${classes}; got ${k}`);
    const { indices, values } = tf.topk(logits, k);
    const rows = (await indices.array()) as number[][];
    tf.dispose([indices, values]);
    return rows;
  }
  if (Array.isArray(wanted)) {
    if (wanted.length !== batch) throw new InvalidInputError(`${wanted.length} targets given for ${batch} images; give one per image`);
    return wanted.map((t) => [classIndex(t as number | string, classes, labels)]);
  }
  const index = classIndex(wanted as number | string, classes, labels);
  return Array.from({ length: batch }, () => [index]);
}
