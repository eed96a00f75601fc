import { InvalidArgumentError, Option, type Command } from 'commander';
import { InvalidInputError, METHOD_NAMES, type MethodName } from '@wgcam/core';
import { PREPROCESS_PRESET_NAMES, type Preprocess } from '@wgcam/core/tfjs';
import { BUNDLED_SAMPLES } from '../explain/bundled.js';
import { faithfulnessOfFiles, type FileMetricsReport } from '../explain/metrics.js';
import { MODEL_BACKENDS, type ModelBackend } from '../model-backend.js';
import { parseMethods, parseNumberIn, parsePreprocessArgument, parseSize } from './parse.js';
import { stopOnCtrlC } from './run-control.js';

/** Options of `wgcam metrics`, as commander parses them. */
export interface MetricsCommandOptions {
  model?: string;
  labels?: string;
  layer?: string;
  preprocess?: Preprocess;
  inputSize?: { height: number; width: number };
  method: MethodName | MethodName[] | 'all';
  target?: number;
  steps: number;
  percentiles?: number[];
  baseline: number;
  noise: number;
  seed: number;
  score: 'probability' | 'logit';
  batch: number;
  json?: boolean;
  software?: boolean;
  backend: ModelBackend;
  background?: string;
}

const COLUMNS = ['method', 'deletion AUC ↓', 'insertion AUC ↑', 'drop ↓', 'increase ↑', 'ROAD MoRF ↓', 'ROAD LeRF', 'ROAD (LeRF−MoRF)/2 ↑', 'ms'];

/** One image's table: a row per method. */
export function formatMetricsTable(report: FileMetricsReport): string {
  if (!report.ok) return `${report.file}: failed: ${report.error}\n`;
  const head = `${report.file}: class ${report.classIndex}${report.label !== undefined ? ` (${report.label})` : ''}, score ${report.methods[0]?.original.toFixed(4) ?? '-'}\n`;
  const rows = report.methods.map((m) => [
    m.method,
    m.deletionAuc.toFixed(4),
    m.insertionAuc.toFixed(4),
    m.drop.toFixed(4),
    String(m.increase),
    m.roadMorf.toFixed(4),
    m.roadLerf.toFixed(4),
    m.roadCombined.toFixed(4),
    m.ms.toFixed(0),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return `${head}${line(COLUMNS)}\n${rows.map(line).join('\n')}\n`;
}

/** `wgcam metrics`: faithfulness of each method's maps on each image, as tables or JSON lines. */
export async function metricsCommand(paths: string[], options: MetricsCommandOptions): Promise<void> {
  const methods: MethodName[] = options.method === 'all' ? [...METHOD_NAMES] : Array.isArray(options.method) ? options.method : [options.method];
  if (methods.length === 0) throw new InvalidInputError(`--method needs at least one of ${METHOD_NAMES.join(', ')}`);
  const interrupt = stopOnCtrlC();
  try {
    const reports = await faithfulnessOfFiles(paths.length > 0 ? paths : [BUNDLED_SAMPLES], {
      methods,
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      ...(options.layer !== undefined ? { layer: options.layer } : {}),
      ...(options.preprocess !== undefined ? { preprocess: options.preprocess } : {}),
      ...(options.inputSize !== undefined ? { inputSize: options.inputSize } : {}),
      ...(options.target !== undefined ? { target: options.target } : {}),
      ...(options.percentiles !== undefined ? { percentiles: options.percentiles } : {}),
      ...(options.background !== undefined ? { background: options.background } : {}),
      steps: options.steps,
      baseline: options.baseline,
      noise: options.noise,
      seed: options.seed,
      score: options.score,
      batchSize: options.batch,
      software: options.software ?? false,
      backend: options.backend,
      signal: interrupt.signal,
      onImage: (report) => process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatMetricsTable(report)}\n`),
    });
    if (reports.some((r) => !r.ok)) process.exitCode = 1;
    if (interrupt.stopped()) process.exitCode = 130;
  } finally {
    interrupt.dispose();
  }
}

/** Parses `--percentiles 10,20,...`: numbers strictly between 0 and 100. */
export function parsePercentiles(text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((p) => !Number.isFinite(p) || p <= 0 || p >= 100)) {
    throw new InvalidArgumentError(`'${text}' is not a list of percentiles; write numbers strictly between 0 and 100 separated by commas, e.g. 10,50,90`);
  }
  return values;
}

/** Parses a whole number in [low, high]. */
export function parseWholeNumber(low: number, high: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < low || value > high) throw new InvalidArgumentError(`'${text}' is not a whole number in [${low}, ${high}]`);
    return value;
  };
}

/** Adds `wgcam metrics` to the program; `fail` reports an error as the other commands do. */
export function registerMetricsCommand(program: Command, fail: (error: unknown) => never): void {
  program
    .command('metrics')
    .description('faithfulness of CAM methods on images: deletion / insertion AUC, average drop / increase in confidence and ROAD, computed on the GPU (a table per image, or JSON lines)')
    .argument('[images...]', 'images or folders (default: the bundled samples)')
    .option('--model <model.json|folder>', 'TF.js LayersModel or GraphModel (default: the bundled shapes model)')
    .option('--labels <file|imagenet>', 'class names (default: beside the model)')
    .addOption(new Option('--preprocess <preset|spec>', `pixel preprocessing: ${PREPROCESS_PRESET_NAMES.join(', ')}, or scale=S[,S,S];offset=O[,O,O][;order=bgr]`).argParser(parsePreprocessArgument))
    .option('--input-size <WxH>', 'model input size for a model with a dynamic input', parseSize)
    .option('--layer <name>', 'target layer (default: the automatic one; see wgcam layers)')
    .option('--method <name[,name...]|all>', `CAM method(s) to measure: ${METHOD_NAMES.join(', ')}, a comma-separated list, or all`, parseMethods, 'gradcam')
    .option('--target <K>', 'class index to explain and measure (default: the top-1 prediction)', parseWholeNumber(0, 1_000_000))
    .option('--steps <T>', 'deletion / insertion steps: the curves are scored at t/T of the pixels, t = 0..T', parseWholeNumber(1, 4096), 32)
    .option('--percentiles <p,...>', 'ROAD percentiles (default 10,20,...,90 as pytorch-grad-cam)', parsePercentiles)
    .option('--baseline <value>', 'value of removed pixels in deletion / insertion, in model-input units', parseNumberIn(-1e6, 1e6), 0)
    .option('--noise <sd>', "standard deviation of ROAD's imputation noise, model-input units", parseNumberIn(0, 1e6), 0.01)
    .option('--seed <n>', "seed of ROAD's noise", parseWholeNumber(0, 4294967295), 0)
    .addOption(new Option('--score <kind>', "what is scored: the target's softmax probability or its logit").choices(['probability', 'logit']).default('probability'))
    .option('--batch <N>', 'perturbed inputs per forward pass', parseWholeNumber(1, 4096), 64)
    .option('--json', 'print one JSON object per image instead of the tables')
    .option('--background <color>', 'colour transparent pixels are composited onto for the model', 'white')
    .option('--software', 'use the SwiftShader software adapter even when a GPU exists')
    .addOption(new Option('--backend <name>', 'TF.js backend for the model: auto, webgpu, wasm or cpu').choices(MODEL_BACKENDS).default('auto'))
    .action(async (images: string[], options: MetricsCommandOptions) => {
      try {
        await metricsCommand(images, options);
      } catch (error) {
        fail(error);
      }
    });
}
