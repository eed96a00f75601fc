// File-level faithfulness metrics: decode each image, explain it with each method at the
// model's input size, and measure the maps (deletion / insertion AUC, drop / increase in
// confidence, ROAD) with the core's GPU metrics.
import type { MethodName } from '@wgcam/core';
import type { FaithfulnessRunOptions } from '@wgcam/core/tfjs';
import { evaluateFaithfulness } from '@wgcam/core/tfjs';
import { flattenImage, parseBackground, WHITE } from '../io/background.js';
import { readImage } from '../io/images.js';
import { expandInputs } from './inputs.js';
import { ExplainSession } from './session.js';
import type { ModelOptions } from './types.js';

/** What `faithfulnessOfFiles` measures and how. */
export interface FileMetricsOptions extends ModelOptions, Omit<FaithfulnessRunOptions, 'onChunk'> {
  /** Methods to measure (any names of the method table). */
  readonly methods: readonly MethodName[];
  /** Class to explain and measure (index); the top-1 prediction by default. */
  readonly target?: number;
  /** Colour transparent pixels are composited onto for the model (default white). */
  readonly background?: string;
  /** Called after each image. */
  readonly onImage?: (report: FileMetricsReport) => void;
}

/** One method's metrics on one image (the means over its percentiles for ROAD). */
export interface FileMethodMetrics {
  readonly method: MethodName;
  readonly original: number;
  readonly deletionAuc: number;
  readonly insertionAuc: number;
  /** max(0, Y − O)/Y. */
  readonly drop: number;
  /** 1 when the score of image × map exceeds the original score. */
  readonly increase: 0 | 1;
  readonly roadMorf: number;
  readonly roadLerf: number;
  readonly roadCombined: number;
  /** Milliseconds of this method's metrics (its perturbed forward passes and kernels). */
  readonly ms: number;
}

/** The metrics of one file, or why it failed. */
export interface FileMetricsReport {
  readonly file: string;
  readonly ok: boolean;
  readonly error?: string;
  /** The class explained and measured. */
  readonly classIndex?: number;
  readonly label?: string;
  readonly methods: readonly FileMethodMetrics[];
}

/**
 * Faithfulness metrics of each method on image files and folders: one report per image,
 * each image's failure reported in its own report without stopping the others. Model and
 * device errors (a bad model path, a bad option) throw their typed errors.
 *
 * @example
 * const reports = await faithfulnessOfFiles(['samples'], { methods: ['gradcam', 'scorecam'] });
 * for (const r of reports) for (const m of r.methods) console.log(r.file, m.method, m.deletionAuc);
 */
export async function faithfulnessOfFiles(paths: readonly string[], options: FileMetricsOptions): Promise<FileMetricsReport[]> {
  const { methods, target, background, onImage, model, labels, layer, preprocess, inputSize, software, backend, ...run } = options;
  const behind = background !== undefined ? parseBackground(background) : WHITE;
  const session = await ExplainSession.open({
    ...(model !== undefined ? { model } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(layer !== undefined ? { layer } : {}),
    ...(preprocess !== undefined ? { preprocess } : {}),
    ...(inputSize !== undefined ? { inputSize } : {}),
    ...(software !== undefined ? { software } : {}),
    ...(backend !== undefined ? { backend } : {}),
  });
  try {
    const reports: FileMetricsReport[] = [];
    for (const input of await expandInputs(paths)) {
      let report: FileMetricsReport;
      try {
        if (input.problem) throw new Error(input.problem);
        const image = flattenImage(await readImage(input.path), behind);
        const rows = [];
        for (const method of methods) {
          const t0 = performance.now();
          const [row] = await evaluateFaithfulness(session.explainer, [image], { ...run, methods: [method], ...(target !== undefined ? { target } : {}) });
          const s = row!.scores[0]!;
          rows.push({
            method,
            original: s.original,
            deletionAuc: s.deletion.auc,
            insertionAuc: s.insertion.auc,
            drop: s.drop,
            increase: s.increase,
            roadMorf: s.road.morfMean,
            roadLerf: s.road.lerfMean,
            roadCombined: s.road.combined,
            ms: performance.now() - t0,
            classIndex: row!.targets[0]!,
          });
        }
        const classIndex = rows[0]?.classIndex;
        const label = classIndex !== undefined ? session.explainer.options.labels?.[classIndex] : undefined;
        report = {
          file: input.path,
          ok: true,
          ...(classIndex !== undefined ? { classIndex } : {}),
          ...(label !== undefined ? { label } : {}),
          methods: rows.map(({ classIndex: _, ...m }) => m),
        };
      } catch (error) {
        report = { file: input.path, ok: false, error: error instanceof Error ? error.message : String(error), methods: [] };
      }
      reports.push(report);
      onImage?.(report);
    }
    return reports;
  } finally {
    await session.dispose();
  }
}
