import cliProgress from 'cli-progress';
import { InvalidInputError, type ColormapName, type FuseMode, type MethodName, type Normalization } from '@wgcam/core';
import type { Preprocess, TargetRequest } from '@wgcam/core/tfjs';
import { BUNDLED_SAMPLES } from '../explain/bundled.js';
import { ExplainSession } from '../explain/session.js';
import { formatSummary } from './explain-report.js';
import type { ModelBackend } from '../model-backend.js';
import { describeRuntime } from './backend-report.js';
import { stopOnCtrlC, workReporter } from './run-control.js';
import { scoreOptionsOf, smoothGradOptionsOf, type ScoreFlags } from './score-options.js';

/** Options of `wgcam explain`, as commander parses them. */
export interface ExplainCommandOptions extends ScoreFlags {
  model?: string;
  labels?: string;
  method: MethodName | MethodName[] | 'all';
  layer?: string;
  target?: string;
  colormap: ColormapName;
  normalize: Normalization;
  alpha: number;
  size?: { height: number; width: number };
  preprocess?: Preprocess;
  inputSize?: { height: number; width: number };
  out: string;
  json?: boolean;
  batch: number;
  npy?: boolean;
  grayPng?: boolean;
  software?: boolean;
  backend: ModelBackend;
  background?: string;
  profile?: boolean;
  fuse?: FuseMode;
  augSmooth?: boolean;
}

/** `top3` → top-3, `5` → class 5, anything else → a label. */
export function parseTarget(text: string | undefined): Exclude<TargetRequest, readonly unknown[]> | undefined {
  if (text === undefined) return undefined;
  const top = /^top(\d+)$/i.exec(text);
  if (top) return Number(top[1]) === 1 ? 'top1' : { topK: Number(top[1]) };
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** `wgcam explain`: the library's explainFiles with a progress bar and a summary (or JSON lines). */
export async function explainCommand(paths: string[], options: ExplainCommandOptions): Promise<void> {
  // Refused before the model loads, as `wgcam compute` does (the library refuses it too, per image).
  if (options.eigenSmooth && (options.augSmooth || (options.layer ?? '').includes(','))) {
    throw new InvalidInputError('--eigen-smooth does not combine with several layers or --aug-smooth; use one of them');
  }
  const session = await ExplainSession.open({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
    ...(options.layer !== undefined ? { layer: options.layer } : {}),
    ...(options.preprocess !== undefined ? { preprocess: options.preprocess } : {}),
    ...(options.inputSize !== undefined ? { inputSize: options.inputSize } : {}),
    software: options.software ?? false,
    backend: options.backend,
  });
  const bar = !options.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'explaining [{bar}] {value}/{total} images | {file} {work}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  const interrupt = stopOnCtrlC();
  try {
    const target = parseTarget(options.target);
    const reports = await session.explainFiles(paths.length > 0 ? paths : [BUNDLED_SAMPLES], {
      method: options.method,
      ...(target !== undefined ? { target } : {}),
      colormap: options.colormap,
      normalize: options.normalize,
      alpha: options.alpha,
      ...(options.size ? { size: options.size } : {}),
      out: options.out,
      npy: options.npy ?? false,
      grayPng: options.grayPng ?? false,
      ...(options.background !== undefined ? { background: options.background } : {}),
      panel: options.method === 'all' || Array.isArray(options.method),
      batch: options.batch,
      profile: options.profile ?? false,
      scoreCam: scoreOptionsOf(options),
      smoothGrad: smoothGradOptionsOf(options),
      ...(options.eigenSmooth ? { eigenSmooth: true } : {}),
      ...(options.fuse !== undefined ? { fuse: options.fuse } : {}),
      ...(options.augSmooth ? { augSmooth: true } : {}),
      signal: interrupt.signal,
      onWork: workReporter(bar ? (line) => bar.update({ work: `| ${line}` }) : null),
      onStart: (total) => bar?.start(total, 0, { file: '', work: '' }),
      onProgress: (report) => bar?.increment(1, { file: report.file, work: '' }),
    });
    bar?.stop();
    if (options.json) {
      for (const r of reports) process.stdout.write(`${JSON.stringify(r)}\n`);
    } else {
      const layer = session.layer;
      process.stdout.write(`model ${session.modelPath}, layer ${layer.name}${layer.automatic ? ' (automatic)' : ''}, method ${options.method}\n`);
      process.stdout.write(`${session.config.origins.join('; ')}\n`);
      if (layer.note) process.stdout.write(`note: ${layer.note}\n`);
      process.stdout.write(`${describeRuntime(session.runtime)}\n`);
      process.stdout.write(formatSummary(reports, options.out));
    }
    if (reports.some((r) => !r.ok)) process.exitCode = 1;
    if (interrupt.stopped()) {
      process.stderr.write(`wgcam: stopped by Ctrl-C: ${reports.filter((r) => r.ok).length} of ${reports.length} images explained; their files are complete\n`);
      process.exitCode = 130;
    }
  } finally {
    interrupt.dispose();
    bar?.stop();
    await session.dispose();
  }
}
