import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeError } from '../errors.js';
import { averageFaithfulness, type FaithfulnessScores, type FaithfulnessSummary } from '../faithfulness-plan.js';
import type { MethodName } from '../methods.js';
import type { Explainer } from './explainer.js';
import { runFaithfulness, type FaithfulnessRunOptions } from './faithfulness-runner.js';
import { checkImages, toModelInput, UNIT_SCALE, type ImageInput } from './images.js';
import type { MaskBufferSlot } from './scorecam-runner.js';
import { bridgeTensor } from './tensor-bridge.js';

/** Options of measureFaithfulness: the metrics' knobs and the class each map explains. */
export interface MeasureFaithfulnessOptions extends FaithfulnessRunOptions {
  /** The class each map explains: one for all images or one per image; the model's top-1 class by default. */
  readonly target?: number | readonly number[];
}

/** One method's faithfulness over a set of images. */
export interface MethodFaithfulness {
  readonly method: MethodName;
  /** The class each image's map explained. */
  readonly targets: readonly number[];
  readonly scores: readonly FaithfulnessScores[];
  readonly summary: FaithfulnessSummary;
}

/** Options of evaluateFaithfulness. */
export interface EvaluateFaithfulnessOptions extends FaithfulnessRunOptions {
  /** The methods whose maps are measured (any name of the method table). */
  readonly methods: readonly MethodName[];
  /** The class to explain and measure: one for all images or one per image; top-1 by default. */
  readonly target?: number | readonly number[];
}

function targetList(target: number | readonly number[] | undefined, batch: number, classes: number): number[] | undefined {
  if (target === undefined) return undefined;
  const list = typeof target === 'number' ? new Array<number>(batch).fill(target) : [...target];
  if (list.length !== batch) throw new ShapeError(`target lists ${list.length} classes for ${batch} images; give one class, or one per image`);
  for (const t of list) if (!Number.isInteger(t) || t < 0 || t >= classes) throw new InvalidInputError(`target class ${t} is out of range: the model has classes 0..${classes - 1}`);
  return list;
}

/**
 * Faithfulness of given maps (one per image, at the model's input size, values in [0, 1]):
 * deletion and insertion AUC, drop / increase in confidence and ROAD, every perturbed input
 * written on the GPU and run through the model in batches.
 *
 * @example
 * const [scores] = await measureFaithfulness(explainer, image, [heatmap], { target: 2 });
 * console.log(scores.deletion.auc, scores.insertion.auc, scores.road.combined);
 */
export async function measureFaithfulness(
  explainer: Explainer,
  images: ImageInput | readonly ImageInput[],
  maps: readonly Float32Array[],
  options: MeasureFaithfulnessOptions = {},
): Promise<FaithfulnessScores[]> {
  const list = Array.isArray(images) ? (images as readonly ImageInput[]) : [images as ImageInput];
  checkImages(list);
  if (!Array.isArray(maps) || maps.length !== list.length) throw new ShapeError(`give one map per image: ${list.length} image(s) but ${Array.isArray(maps) ? maps.length : 'no list of'} map(s)`);
  const { split, engine } = explainer;
  const input = toModelInput(list, split.inputShape, explainer.options.preprocess ?? UNIT_SCALE);
  const slot: MaskBufferSlot = { buffer: null };
  try {
    const [batch, height, width] = input.shape;
    const data = new Float32Array(batch * height * width);
    maps.forEach((map, b) => {
      if (!(map instanceof Float32Array) || map.length !== height * width) {
        throw new ShapeError(`map ${b} must be a Float32Array of ${height}×${width} values (the model input size); got ${map instanceof Float32Array ? map.length : typeof map} values — explain with size: 'input'`);
      }
      data.set(map, b * height * width);
    });
    let targets = targetList(options.target, batch, split.classes);
    if (!targets) {
      const top = tf.tidy(() => split.logits(input).argMax(1));
      targets = Array.from(await top.data());
      top.dispose();
    }
    const bridged = await bridgeTensor(input, engine.device);
    try {
      return await runFaithfulness(split, engine, bridged, { data, shape: [batch, height, width] }, targets, options, slot);
    } finally {
      bridged.release();
    }
  } finally {
    input.dispose();
    slot.buffer?.destroy();
  }
}

/**
 * Explains images with each method (maps at the model input size, for the class chosen by
 * `target`, top-1 by default) and measures every method's maps: per-image scores and their
 * means. Methods come from the method table, so a method added there is measured too.
 *
 * @example
 * const rows = await evaluateFaithfulness(explainer, images, { methods: ['gradcam', 'scorecam'] });
 * for (const r of rows) console.log(r.method, r.summary.deletionAuc, r.summary.roadCombined);
 */
export async function evaluateFaithfulness(
  explainer: Explainer,
  images: ImageInput | readonly ImageInput[],
  options: EvaluateFaithfulnessOptions,
): Promise<MethodFaithfulness[]> {
  const { methods, target, ...run } = options;
  const list = Array.isArray(images) ? (images as readonly ImageInput[]) : [images as ImageInput];
  const targets = targetList(target, list.length, explainer.split.classes);
  const { explanations } = await explainer.explainMany(list, { methods, size: 'input', overlay: false, ...(targets ? { target: targets } : {}) });
  const rows: MethodFaithfulness[] = [];
  for (const explanation of explanations) {
    const chosen = explanation.items.map((item) => item.classIndex);
    const scores = await measureFaithfulness(
      explainer,
      list,
      explanation.items.map((item) => item.heatmap),
      { ...run, target: chosen },
    );
    rows.push({ method: explanation.method, targets: chosen, scores, summary: averageFaithfulness(scores) });
  }
  return rows;
}
