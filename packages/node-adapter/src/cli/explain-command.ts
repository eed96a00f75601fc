import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { InvalidInputError, METHOD_NAMES, isMethodName, type ColormapName, type MethodName } from '@wgcam/core';
import { Explainer, type ExplanationItem, type TargetRequest } from '@wgcam/core/tfjs';
import { readImage, type RgbaImage } from '../io/images.js';
import { loadModel } from '../model-loader.js';
import { useTfjsWebGpu } from '../tfjs-backend.js';
import { expandInputs, type InputItem } from './inputs.js';
import { heatmapArgmax, outputStems, writeMethodOutputs, writePanel, type OutputChoices } from './explain-outputs.js';
import { emptyTimings, formatSummary, type ImageReport } from './explain-report.js';

/** The bundled shapes model, relative to this file in dist/cli. */
export const BUNDLED_MODEL = fileURLToPath(new URL('../../../../models/shapes-cnn/model.json', import.meta.url));

/** Options of `wgcam explain`, as commander parses them. */
export interface ExplainCommandOptions {
  model?: string;
  labels?: string;
  method: string;
  layer?: string;
  target?: string;
  colormap: ColormapName;
  alpha: number;
  size?: { height: number; width: number };
  out: string;
  json?: boolean;
  batch: number;
  npy?: boolean;
  grayPng?: boolean;
  software?: boolean;
}

/** `top3` → top-3, `5` → class 5, anything else → a label. */
export function parseTarget(text: string | undefined): TargetRequest | undefined {
  if (text === undefined) return undefined;
  const top = /^top(\d+)$/i.exec(text);
  if (top) return Number(top[1]) === 1 ? 'top1' : { topK: Number(top[1]) };
  return /^\d+$/.test(text) ? Number(text) : text;
}

async function readLabels(explicit: string | undefined, modelPath: string): Promise<string[] | undefined> {
  const path = explicit ?? join(dirname(modelPath), 'labels.json');
  if (!existsSync(path)) {
    if (explicit) throw new InvalidInputError(`labels file ${explicit} does not exist`);
    return undefined;
  }
  const labels = JSON.parse(await readFile(path, 'utf8')) as unknown;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) throw new InvalidInputError(`${path} must hold a JSON array of class names`);
  return labels;
}

interface Decoded {
  readonly item: InputItem;
  readonly index: number;
  readonly image?: RgbaImage;
  readonly error?: string;
  readonly ms: number;
}

async function decodeAll(items: readonly InputItem[], offset: number): Promise<Decoded[]> {
  return Promise.all(
    items.map(async (item, i) => {
      const start = performance.now();
      if (item.problem) return { item, index: offset + i, error: item.problem, ms: 0 };
      try {
        return { item, index: offset + i, image: await readImage(item.path), ms: performance.now() - start };
      } catch (error) {
        return { item, index: offset + i, error: (error as Error).message, ms: performance.now() - start };
      }
    }),
  );
}

/** `wgcam explain`: overlays (and panels, heatmaps) for images, in batches, with a summary. */
export async function explainCommand(paths: string[], options: ExplainCommandOptions): Promise<void> {
  const methods: MethodName[] = options.method === 'all' ? [...METHOD_NAMES] : [options.method as MethodName];
  if (options.method !== 'all' && !isMethodName(options.method)) {
    throw new InvalidInputError(`unknown method '${options.method}'; use one of ${METHOD_NAMES.join(', ')} or all`);
  }
  if (!Number.isInteger(options.batch) || options.batch < 1) throw new InvalidInputError(`--batch must be a positive integer; got ${options.batch}`);
  const modelPath = options.model ?? BUNDLED_MODEL;
  const target = parseTarget(options.target);
  const choices: OutputChoices = { npy: options.npy ?? false, grayPng: options.grayPng ?? false, panel: options.method === 'all' };

  await useTfjsWebGpu({ prefer: options.software ? 'software' : 'auto' });
  const model = await loadModel(modelPath);
  const labels = await readLabels(options.labels, modelPath);
  const explainer = new Explainer(model, { ...(options.layer ? { layer: options.layer } : {}), ...(labels ? { labels } : {}) });

  const inputs = await expandInputs(paths.length > 0 ? paths : [join(dirname(BUNDLED_MODEL), '..', '..', 'samples')]);
  const stems = outputStems(inputs.map((i) => i.path));
  const reports: ImageReport[] = inputs.map((i) => ({ file: i.path, ok: false, outputs: [], timings: emptyTimings() }));
  let outputProblem: string | null = null;
  try {
    await mkdir(options.out, { recursive: true });
  } catch (error) {
    outputProblem = `cannot create the output folder ${options.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }

  const bar = !options.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'explaining [{bar}] {value}/{total} images | {file}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(inputs.length, 0, { file: '' });
  const writes: Promise<void>[] = [];
  let next = decodeAll(inputs.slice(0, options.batch), 0);
  for (let start = 0; start < inputs.length; start += options.batch) {
    const decoded = await next;
    // Decode the next batch while this one is on the GPU.
    next = decodeAll(inputs.slice(start + options.batch, start + 2 * options.batch), start + options.batch);
    const ready = decoded.filter((d) => {
      const report = reports[d.index]!;
      report.timings.decode = d.ms;
      if (d.error || outputProblem) report.error = d.error ?? outputProblem ?? '';
      return !report.error && d.image;
    });
    const groups = new Map<string, Decoded[]>();
    for (const d of ready) {
      const key = `${d.image!.width}x${d.image!.height}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    for (const group of groups.values()) {
      const images = group.map((d) => d.image!);
      const panels = new Map<number, { method: MethodName; item: ExplanationItem }[]>();
      for (const method of methods) {
        let explanation;
        try {
          explanation = await explainer.explain(images, {
            method,
            ...(target !== undefined ? { target } : {}),
            colormap: options.colormap,
            alpha: options.alpha,
            ...(options.size ? { size: options.size } : {}),
            profile: true,
          });
        } catch (error) {
          if (options.method === 'all' && method === 'cam' && /CAM needs/.test((error as Error).message)) continue; // model has no GAP head
          for (const d of group) reports[d.index]!.error = `${method}: ${(error as Error).message}`;
          break;
        }
        const perImage = explanation.items.length / group.length;
        group.forEach((d, b) => {
          const report = reports[d.index]!;
          const items = explanation.items.slice(b * perImage, (b + 1) * perImage);
          const top = explanation.predictions[b]![0]!;
          report.class ??= top.classIndex;
          if (top.label !== undefined) report.label ??= top.label;
          report.probability ??= top.probability;
          report.argmax ??= heatmapArgmax(items[0]!.heatmap, explanation.heatmapSize.width);
          const share = 1 / group.length;
          report.timings.preprocess += explanation.timings.preprocess * share;
          report.timings.model += explanation.timings.model * share;
          report.timings.cam += explanation.timings.cam * share;
          report.timings.readback += explanation.timings.readback * share;
          if (choices.panel) panels.set(d.index, [...(panels.get(d.index) ?? []), { method, item: items[0]! }]);
          const encodeStart = performance.now();
          writes.push(
            writeMethodOutputs(options.out, stems[d.index]!, method, explanation, items, choices).then(
              (written) => {
                report.outputs.push(...written);
                report.timings.encode += performance.now() - encodeStart;
              },
              (error: unknown) => {
                report.error = `writing outputs failed: ${(error as Error).message}`;
              },
            ),
          );
        });
      }
      if (choices.panel) {
        for (const d of group) {
          const report = reports[d.index]!;
          const overlays = panels.get(d.index);
          if (report.error || !overlays) continue;
          const title = `${report.file} — ${report.label ?? report.class} (${((report.probability ?? 0) * 100).toFixed(1)}%)`;
          writes.push(
            writePanel(options.out, stems[d.index]!, d.image!, overlays, title).then(
              (path) => void report.outputs.push(path),
              (error: unknown) => {
                report.error = `writing the panel failed: ${(error as Error).message}`;
              },
            ),
          );
        }
      }
      for (const d of group) bar?.increment(1, { file: d.item.path });
    }
    for (const d of decoded) if (!ready.includes(d)) bar?.increment(1, { file: d.item.path });
  }
  await Promise.all(writes);
  bar?.stop();
  explainer.dispose();
  for (const report of reports) report.ok = !report.error;

  if (options.json) {
    for (const r of reports) process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    process.stdout.write(`model ${modelPath}, layer ${explainer.split.layer}${explainer.split.automatic ? ' (automatic)' : ''}, method ${options.method}\n`);
    process.stdout.write(formatSummary(reports, options.out));
  }
  if (reports.some((r) => !r.ok)) process.exitCode = 1;
}
