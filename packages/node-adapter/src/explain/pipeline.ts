import { mkdir } from 'node:fs/promises';
import { CancelledError, fusableMethods, heatmapPeak, METHODS, type MethodName } from '@wgcam/core';
import type { Explainer, ExplanationItem, ManyExplanations, WorkProgress } from '@wgcam/core/tfjs';
import { ImageTooLargeError, OutputError } from '../errors.js';
import { explainOnGpu } from './gpu-context.js';
import type { CodecPool, Timed } from '../io/codec-pool.js';
import type { RgbaImage } from '../io/images.js';
import { writeMethodOutputs, writePanel } from './outputs.js';
import type { RunSettings } from './settings.js';
import { emptyTimings, type ImageExplanation, type ImageReport } from './types.js';

/** One image to explain: its name in reports, its output file stem, and how to get its pixels. */
export interface ImageSource {
  readonly name: string;
  readonly stem: string;
  /** Known before decoding (a missing path): the image fails without being read. */
  readonly problem?: Error;
  /** The pixels, and the milliseconds decoding took (0 for pixels given in memory). */
  load(): Promise<Timed<RgbaImage>>;
}

/** How a session renews its explainer when a device it uses was lost mid-batch (see ExplainSession). */
export interface Recovery {
  usable(): boolean;
  renew(): Promise<Explainer>;
}

/** Per image: its report, its explanation when kept, and the error that failed it. */
export interface PipelineOutcome {
  readonly reports: ImageReport[];
  readonly explanations: (ImageExplanation | undefined)[];
  readonly errors: (Error | undefined)[];
}

interface Loaded {
  readonly index: number;
  readonly image?: RgbaImage;
  readonly error?: Error;
  readonly ms: number;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

async function loadAll(sources: readonly ImageSource[], offset: number, signal?: RunSettings['signal']): Promise<Loaded[]> {
  return Promise.all(
    sources.map(async (source, i) => {
      if (source.problem) return { index: offset + i, error: source.problem, ms: 0 };
      if (signal?.aborted) return { index: offset + i, error: new CancelledError('not explained: the run was stopped before this image'), ms: 0 };
      try {
        const { value, ms } = await source.load();
        return { index: offset + i, image: value, ms };
      } catch (error) {
        return { index: offset + i, error: asError(error), ms: 0 };
      }
    }),
  );
}

type Skipped = NonNullable<ImageReport['skipped']>;

/** The explainer's layer list, or null for one layer or a list that fails (it fails per image). */
function layerListOf(explainer: Explainer): readonly string[] | null {
  try {
    return explainer.layerList;
  } catch {
    return null;
  }
}

/**
 * Under 'all', the methods that do not fit the model and why: CAM without a GAP → Dense
 * head, asked of the split as the explainer asks it. A model that cannot be cut at all is
 * left to fail per image.
 */
function methodsThatDoNotFit(explainer: Explainer, settings: RunSettings): Skipped {
  if (settings.allMethods && (settings.augSmooth || layerListOf(explainer) !== null)) {
    const fusable = fusableMethods();
    const reason = 'it does not run over several layers or with augmentation smoothing (it needs more than one layer’s activations and gradients)';
    return settings.methods.filter((m) => !fusable.includes(m)).map((method) => ({ method, reason }));
  }
  const dense = settings.methods.filter((m) => METHODS[m].needs === 'dense-kernel');
  if (!settings.allMethods || dense.length === 0) return [];
  try {
    const kernel = explainer.split.denseKernel();
    return typeof kernel === 'string' ? dense.map((method) => ({ method, reason: kernel })) : [];
  } catch {
    return [];
  }
}

/**
 * The one code path of `wgcam explain`, explainFile, explainImage and explainFiles:
 * images are decoded a batch ahead of the GPU, grouped by size, explained by every
 * method, and their files encoded (by libvips, off the main thread) and written atomically while
 * the next group runs. One image's failure never stops the others; `keep` holds heatmaps
 * and overlays in memory. An exception thrown by `onProgress` (or its rejected promise) is
 * rethrown at the end.
 */
export async function runPipeline(
  explainer: Explainer,
  sources: readonly ImageSource[],
  settings: RunSettings,
  codecs: CodecPool,
  keep: boolean,
  onProgress?: (report: ImageReport) => unknown,
  recovery?: Recovery,
): Promise<PipelineOutcome> {
  const reports: ImageReport[] = sources.map((s) => ({ file: s.name, ok: false, outputs: [], timings: emptyTimings() }));
  const explanations: (ImageExplanation | undefined)[] = sources.map(() => undefined);
  const errors: (Error | undefined)[] = sources.map(() => undefined);
  const fail = (index: number, error: Error, context?: string): void => {
    if (errors[index]) return;
    errors[index] = error;
    reports[index]!.error = context ? `${context}: ${error.message}` : error.message;
  };

  let outputProblem: Error | null = null;
  if (settings.out !== undefined) {
    try {
      await mkdir(settings.out, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? asError(error).message;
      outputProblem = new OutputError(`cannot create the output folder ${settings.out} (${code}); choose a folder you can write to`, { cause: error });
    }
  }

  const details: (ExplanationDetails | undefined)[] = sources.map(() => undefined);
  const pendingWrites = new Map<number, Promise<void>[]>();
  const finished: Promise<void>[] = [];
  let progressError: unknown = null;
  const finish = (index: number): void => {
    finished.push(
      Promise.all(pendingWrites.get(index) ?? []).then(() => {
        const report = reports[index]!;
        report.ok = !errors[index];
        const kept = details[index];
        if (report.ok && kept) explanations[index] = { ...report, ok: true, class: kept.predictions[0]!.classIndex, probability: kept.predictions[0]!.probability, ...kept };
      }).then(async () => {
        // A callback that throws or returns a rejected promise fails the call after the batch.
        try {
          await onProgress?.(reports[index]!);
        } catch (error) {
          progressError ??= error;
        }
      }),
    );
  };
  const writes: Writes = {
    claimed: new Set(),
    start(index, work, context) {
      const timings = reports[index]!.timings;
      const done = work(codecs, (ms) => (timings.encode += ms)).then(
        () => undefined,
        (error: unknown) => fail(index, error instanceof OutputError ? error : new OutputError(asError(error).message, { cause: error }), context),
      );
      pendingWrites.set(index, [...(pendingWrites.get(index) ?? []), done]);
    },
    settled: (index) => Promise.all(pendingWrites.get(index) ?? []).then(() => errors[index] === undefined),
  };

  const skipped = methodsThatDoNotFit(explainer, settings);
  let next = loadAll(sources.slice(0, settings.batch), 0, settings.signal);
  for (let start = 0; start < sources.length; start += settings.batch) {
    const loaded = await next;
    // Decode the next batch while this one is on the GPU.
    next = loadAll(sources.slice(start + settings.batch, start + 2 * settings.batch), start + settings.batch, settings.signal);
    const groups = new Map<string, Loaded[]>();
    for (const item of loaded) {
      reports[item.index]!.timings.decode = item.ms;
      const problem = item.error ?? outputProblem;
      if (problem || !item.image) {
        fail(item.index, problem ?? new Error('no pixels'));
        finish(item.index);
        continue;
      }
      const key = `${item.image.width}x${item.image.height}`;
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    for (const group of groups.values()) {
      if (settings.signal?.aborted) {
        // Stopped (Ctrl-C): the rest is reported as not done; files already written are complete.
        for (const item of group) {
          fail(item.index, new CancelledError('not explained: the run was stopped before this image'));
          finish(item.index);
        }
        continue;
      }
      if (recovery && !recovery.usable()) {
        // A device was lost during an earlier group (which failed with a GpuError): the rest of the batch runs on new ones.
        try {
          explainer = await recovery.renew();
        } catch (caught) {
          for (const item of group) {
            fail(item.index, asError(caught));
            finish(item.index);
          }
          continue;
        }
      }
      await explainGroup(explainer, group, settings, skipped, { reports, errors, details: keep ? details : null }, fail, writes, sources);
      for (const item of group) finish(item.index);
    }
  }
  await Promise.all(finished);
  if (progressError !== null) throw progressError;
  return { reports, explanations, errors };
}

/** What an ImageExplanation holds besides its report. */
type ExplanationDetails = Pick<ImageExplanation, 'predictions' | 'layer' | 'automaticLayer' | 'imageSize' | 'heatmapSize' | 'methods'>;

interface GroupState {
  readonly reports: ImageReport[];
  readonly errors: (Error | undefined)[];
  /** Where heatmaps and overlays are kept, or null when they are only written. */
  readonly details: (ExplanationDetails | undefined)[] | null;
}

type Fail = (index: number, error: Error, context?: string) => void;
/** Output writing for one image: started without waiting, failures recorded on the image. */
interface Writes {
  start(index: number, work: (codecs: CodecPool, onEncoded: (ms: number) => void) => Promise<unknown>, context: string): void;
  /** Resolves once the image's writes so far are done: true when none failed. */
  settled(index: number): Promise<boolean>;
  /** Every output path this run has written or is writing: none is written twice. */
  readonly claimed: Set<string>;
}

async function explainGroup(
  explainer: Explainer,
  group: readonly Loaded[],
  settings: RunSettings,
  skipped: Skipped,
  outcome: GroupState,
  fail: Fail,
  writes: Writes,
  sources: readonly ImageSource[],
): Promise<void> {
  const images = group.map((g) => g.image!);
  const panels = new Map<number, { method: MethodName; item: ExplanationItem }[]>();
  if (skipped.length > 0) for (const g of group) outcome.reports[g.index]!.skipped = [...skipped];
  const methods = settings.methods.filter((m) => !skipped.some((s) => s.method === m));
  // Every method from one forward pass and one backward pass per target.
  let many: ManyExplanations;
  try {
    // The budget is checked first (ImageTooLargeError), and any GPU error or device loss is a GpuError, never a wrong map.
    many = await explainOnGpu(explainer, images[0]!, images.length, settings, methods.length, () =>
      explainer.explainMany(images, {
        methods,
        ...(settings.target !== undefined ? { target: settings.target } : {}),
        colormap: settings.colormap,
        normalize: settings.normalize,
        alpha: settings.alpha,
        ...(settings.size ? { size: settings.size } : {}),
        // Waits between stages only when asked: the hot path records everything and reads once.
        profile: settings.profile,
        ...(settings.signal ? { signal: settings.signal } : {}),
        ...(settings.scoreCam ? { scoreCam: settings.scoreCam } : {}),
        ...(settings.smoothGrad ? { smoothGrad: settings.smoothGrad } : {}),
        ...(settings.eigenSmooth ? { eigenSmooth: true } : {}),
        ...(settings.fuse !== undefined ? { fuse: settings.fuse } : {}),
        ...(settings.augSmooth ? { augSmooth: true } : {}),
        ...(settings.onWork ? { onProgress: (progress: WorkProgress) => settings.onWork!({ ...progress, files: group.map((g) => sources[g.index]!.name) }) } : {}),
      }),
    );
  } catch (caught) {
    const error = asError(caught);
    if (error instanceof ImageTooLargeError && group.length > 1) {
      // Too much for one batch: each image alone may still fit.
      for (const g of group) await explainGroup(explainer, [g], settings, skipped, outcome, fail, writes, sources);
      return;
    }
    for (const g of group) fail(g.index, error, methods.join(', '));
    return;
  }
  const share = 1 / group.length;
  for (const g of group) {
    const timings = outcome.reports[g.index]!.timings;
    for (const stage of ['preprocess', 'model', 'cam', 'readback'] as const) timings[stage] += many.timings[stage] * share;
  }
  for (const explanation of many.explanations) {
    const method = explanation.method;
    const perImage = explanation.items.length / group.length;
    group.forEach((g, b) => {
      const report = outcome.reports[g.index]!;
      const items = explanation.items.slice(b * perImage, (b + 1) * perImage);
      const top = explanation.predictions[b]![0]!;
      report.class ??= top.classIndex;
      if (top.label !== undefined) report.label ??= top.label;
      report.probability ??= top.probability;
      report.layer ??= explanation.layer;
      if (explanation.methodMs !== undefined) (report.methodTimes ??= {})[method] = explanation.methodMs / group.length;
      if (explanation.layerNote !== undefined) report.layerNote ??= explanation.layerNote;
      if (!report.target) {
        const first = items[0]!;
        report.target = { class: first.classIndex, ...(first.label !== undefined ? { label: first.label } : {}) };
      }
      if (!report.argmax) {
        const { x, y } = heatmapPeak(items[0]!.heatmap, explanation.heatmapSize.width);
        report.argmax = { x, y };
      }
      if (outcome.details) {
        const kept = (outcome.details[g.index] ??= {
          predictions: explanation.predictions[b]!,
          layer: explanation.layer,
          automaticLayer: explanation.automaticLayer,
          imageSize: explanation.imageSize,
          heatmapSize: explanation.heatmapSize,
          methods: [],
        });
        kept.methods.push({ method, items });
      }
      if (settings.choices.panel) panels.set(g.index, [...(panels.get(g.index) ?? []), { method, item: items[0]! }]);
      if (settings.out !== undefined) {
        const out = settings.out;
        writes.start(
          g.index,
          (codecs, onEncoded) => writeMethodOutputs(out, sources[g.index]!.stem, method, explanation, items, settings.choices, codecs, onEncoded, writes.claimed).then((paths) => report.outputs.push(...paths)),
          `writing ${method} outputs failed`,
        );
      }
    });
  }
  if (settings.out === undefined || !settings.choices.panel) return;
  const out = settings.out;
  for (const g of group) {
    const report = outcome.reports[g.index]!;
    const overlays = panels.get(g.index);
    if (outcome.errors[g.index] || !overlays) continue;
    const predicted = `${report.label ?? report.class} (${((report.probability ?? 0) * 100).toFixed(1)}%)`;
    const explained = report.target && report.target.class !== report.class ? `; maps explain ${report.target.label ?? report.target.class}` : '';
    const title = `${report.file} — predicted ${predicted}${explained}`;
    const stem = sources[g.index]!.stem;
    // The panel goes after the image's method files, and only when they were all written.
    const settled = writes.settled(g.index);
    writes.start(
      g.index,
      async (codecs, onEncoded) => {
        if (await settled) report.outputs.push(await writePanel(out, stem, g.image!, overlays, title, codecs, onEncoded, writes.claimed));
      },
      'writing the panel failed',
    );
  }
}
