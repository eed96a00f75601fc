// What several target layers and test-time augmentation smoothing cost per explanation,
// side by side in one run (configurations interleaved round by round, so load on a shared
// machine hits them alike): one layer; several layers fused from one forward and one
// backward pass; the same layers as separate single-layer explanations (what fusing by
// hand would take); and each with augSmooth (six augmented copies batched). Grad-CAM,
// top-1 target, heatmap and overlay at the image size, model on TF.js wasm, wgcam's
// kernels on WebGPU. Each round also runs every configuration once with profile: true
// (a GPU wait between stages) to split its time into model passes and wgcam's kernels.
//
//   npx tsx bench/src/fusion/multi-layer-cost.ts [--rounds N] [--backend wasm|cpu] [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Explainer, type ExplainableModel, type Preprocess } from '@wgcam/core/tfjs';
import { loadModel, openModelRuntime, readImage, type RgbaImage } from '@wgcam/node-adapter';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const rounds = Number(flag('rounds', '10'));
const backend = flag('backend', 'wasm') as 'wasm' | 'cpu';
const outDir = resolve(flag('out', join(root, 'bench', 'results')));
const log = (line: string): void => void process.stderr.write(`[multi-layer] ${line}\n`);

interface ModelCase {
  readonly name: string;
  readonly path: string;
  readonly preprocess: Preprocess;
  /** The recipe's layer last. */
  readonly layers: readonly string[];
}

const MODELS: readonly ModelCase[] = [
  { name: 'bundled shapes CNN (32×32)', path: join(root, 'models', 'shapes-cnn', 'model.json'), preprocess: 'unit', layers: ['conv1', 'conv2', 'last_conv'] },
  // A GraphModel is cut once per layer: one forward and one backward pass per layer.
  { name: 'bundled shapes CNN, GraphModel format (32×32)', path: join(root, 'models', 'shapes-cnn-graph', 'model.json'), preprocess: 'unit', layers: ['conv1', 'conv2', 'last_conv'] },
  { name: 'Keras vgg_small fixture (64×64)', path: join(root, '..', 'shared', 'fixtures', 'keras', 'vgg_small', 'layers', 'model.json'), preprocess: 'caffe', layers: ['block2_conv2', 'block3_conv3'] },
];

interface Config {
  readonly label: string;
  readonly layers: readonly string[];
  /** Separate single-layer explanations, one per layer (no fusion). */
  readonly separate: boolean;
  readonly augSmooth: boolean;
}

function configs(layers: readonly string[]): Config[] {
  const last = layers.slice(-1);
  const out: Config[] = [
    { label: `1 layer (${last[0]})`, layers: last, separate: false, augSmooth: false },
    { label: `${layers.length} layers fused`, layers, separate: false, augSmooth: false },
    { label: `${layers.length} single-layer calls`, layers, separate: true, augSmooth: false },
    { label: '1 layer + augSmooth', layers: last, separate: false, augSmooth: true },
    { label: `${layers.length} layers fused + augSmooth`, layers, separate: false, augSmooth: true },
  ];
  if (layers.length > 2) out.splice(2, 0, { label: `2 layers fused (${layers.slice(-2).join('+')})`, layers: layers.slice(-2), separate: false, augSmooth: false });
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(model: ExplainableModel, c: ModelCase, image: RgbaImage, engine: NonNullable<Awaited<ReturnType<typeof openModelRuntime>>['engine']>): Promise<{ label: string; ms: number; model: number; cam: number; samples: number[] }[]> {
  const list = configs(c.layers);
  // One explainer per (config, layer set), built before timing.
  const runners = list.map((config) => {
    const explainers = config.separate
      ? config.layers.map((layer) => new Explainer(model, { engine, layer, preprocess: c.preprocess }))
      : [new Explainer(model, { engine, layer: config.layers.length === 1 ? config.layers[0]! : config.layers, preprocess: c.preprocess })];
    const run = async (profile: boolean): Promise<{ model: number; cam: number }> => {
      const split = { model: 0, cam: 0 };
      for (const e of explainers) {
        const { timings } = await e.explain(image, { method: 'gradcam', profile, ...(config.augSmooth ? { augSmooth: true } : {}) });
        split.model += timings.model;
        split.cam += timings.cam;
      }
      return split;
    };
    return { config, explainers, run };
  });
  const samples = list.map(() => [] as number[]);
  const models = list.map(() => [] as number[]);
  const cams = list.map(() => [] as number[]);
  for (let round = -2; round < rounds; round++) {
    for (const [i, r] of runners.entries()) {
      const t0 = performance.now();
      await r.run(false);
      const t1 = performance.now();
      const split = await r.run(true);
      if (round < 0) continue;
      samples[i]!.push(t1 - t0);
      models[i]!.push(split.model);
      cams[i]!.push(split.cam);
    }
  }
  for (const r of runners) r.explainers.forEach((e) => e.dispose());
  return list.map((config, i) => ({ label: config.label, ms: median(samples[i]!), model: median(models[i]!), cam: median(cams[i]!), samples: samples[i]! }));
}

const runtime = await openModelRuntime({ backend });
const image = await readImage(join(root, 'samples', 'two-objects-1.png'));
const results: { model: string; rows: { label: string; ms: number; model: number; cam: number; ratio: number; samples: number[] }[] }[] = [];
for (const c of MODELS) {
  const model = await loadModel(c.path);
  log(`${c.name}: ${rounds} rounds on TF.js ${tf.getBackend()}`);
  const rows = await measure(model, c, image, runtime.engine!);
  const base = rows[0]!.ms;
  results.push({ model: c.name, rows: rows.map((r) => ({ ...r, ratio: r.ms / base })) });
  model.dispose();
}
runtime.release();

const lines = [
  `# Multi-layer fusion and augmentation smoothing: ms per explanation (Grad-CAM, median of ${rounds} interleaved rounds)`,
  '',
  `Model on TF.js ${backend}, wgcam's kernels on WebGPU (${runtime.reason.split(':')[0]}); the ${image.width}×${image.height} sample two-objects-1.png, heatmap and overlay at its size. ` +
    `ms: wall time per explanation; model and cam: the same configuration with profile (GPU waits between stages): TF.js passes, and wgcam's kernels with their waits. ${new Date().toISOString()}`,
  '',
];
for (const r of results) {
  lines.push(`## ${r.model}`, '', '| configuration | ms | × one layer | model ms (profiled) | cam ms (profiled) |', '|---|---:|---:|---:|---:|');
  for (const row of r.rows) lines.push(`| ${row.label} | ${row.ms.toFixed(1)} | ${row.ratio.toFixed(2)} | ${row.model.toFixed(1)} | ${row.cam.toFixed(1)} |`);
  lines.push('');
}
const text = lines.join('\n');
process.stdout.write(`${text}\n`);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'multi-layer-cost.md'), `${text}\n`);
writeFileSync(join(outDir, 'multi-layer-cost.json'), `${JSON.stringify({ rounds, backend, results }, null, 2)}\n`);
