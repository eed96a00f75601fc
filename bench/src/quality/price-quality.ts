// The price and quality table: for each method of the method table, on held-out shapes
// images with their ground-truth masks, the time per explanation, the pointing game and
// energy pointing game, and the faithfulness metrics (deletion / insertion AUC, Average
// Drop / Increase in Confidence, ROAD), plus what the metrics' GPU kernels cost as a share
// of the forward passes they feed, measured side by side in one run.
//
//   npx tsx bench/src/quality/price-quality.ts [--images N] [--backend wasm|webgpu] [--steps T] [--out DIR] [--share-only]
//   npx tsx bench/src/quality/price-quality.ts --share-only --model DIR --image FILE [--preprocess P] [--backend B]
//
// The second form measures only the kernels' share, on another model (a folder with
// model.json) and one image at that model's input size and preprocessing; the table needs
// the shapes masks, so it stays on the bundled model.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { averageFaithfulness, energyInside, FaithfulnessSession, METHOD_NAMES, METHODS, pointingGameHit, type MethodName } from '@wgcam/core';
import { Explainer, bridgeTensor, flushBackend, measureFaithfulness, toModelInput, type Preprocess } from '@wgcam/core/tfjs';
import { loadModel, openModelRuntime, readImage } from '@wgcam/node-adapter';
import { generateDataset, SHAPES_DATASET_SEEDS } from '@wgcam/shapes';
import { formatPriceQuality, type KernelShare, type PriceQualityRow } from './price-quality-table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bundledModelDir = join(root, 'models', 'shapes-cnn');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const imagesCount = Number(flag('images', '4'));
const backend = flag('backend', 'wasm') as 'wasm' | 'webgpu';
const steps = Number(flag('steps', '32'));
const outDir = resolve(flag('out', join(root, 'bench', 'results')));
// Only the kernels' share (e.g. on the webgpu backend, where the table itself would take hours on a software GPU).
const shareOnly = process.argv.includes('--share-only');
// The share is measured on one image; a share-only run needs no more.
const imagesUsed = shareOnly ? 1 : imagesCount;
const otherModel = process.argv.includes('--model') ? resolve(flag('model', '')) : undefined;
const otherImage = process.argv.includes('--image') ? resolve(flag('image', '')) : undefined;
const preprocess = flag('preprocess', 'unit') as Preprocess;
if ((otherModel || otherImage) && !(otherModel && otherImage && shareOnly)) {
  process.stderr.write('[price-quality] --model and --image go together, with --share-only\n');
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`[price-quality] ${line}\n`);

/** One pass of kernelShare: the metric kernels' and the forward passes' time, chunk by chunk. */
interface SharePass {
  readonly entries: number;
  readonly kernelsMs: number;
  readonly forwardMs: number;
  readonly transferMs: number;
  readonly byKindMs: Record<string, number>;
}

/**
 * Times the metric kernels and the forward passes of one image's perturbed inputs, chunk by
 * chunk, waiting for the GPU around each, twice: the first pass compiles the kernels'
 * pipelines and the model's programs for these batch shapes (reported apart), the second
 * gives the share.
 */
async function kernelShare(explainer: Explainer, image: { data: Uint8Array; width: number; height: number }, map: Float32Array, target: number, chunk: number): Promise<KernelShare> {
  const first = await sharePass(explainer, image, map, target, chunk);
  const second = await sharePass(explainer, image, map, target, chunk);
  return { ...second, firstPass: { kernelsMs: first.kernelsMs, forwardMs: first.forwardMs, byKindMs: first.byKindMs } };
}

async function sharePass(explainer: Explainer, image: { data: Uint8Array; width: number; height: number }, map: Float32Array, target: number, chunk: number): Promise<SharePass> {
  const { split, engine } = explainer;
  const input = toModelInput([image], split.inputShape, preprocess);
  const bridged = await bridgeTensor(input, engine.device);
  const [, height, width] = input.shape;
  const session = new FaithfulnessSession(engine, { input: bridged.source, maps: { data: map, shape: [1, height, width] }, targets: [target], classes: split.classes, steps });
  const buffer = engine.device.createBuffer({ size: session.inputBytes(chunk), usage: 0x80 | 0x4 | 0x8 });
  const zeroCopy = tf.getBackend() === 'webgpu';
  const wait = async (): Promise<void> => {
    flushBackend();
    await engine.device.queue.onSubmittedWorkDone();
  };
  const byKind: Record<string, number> = {};
  let kernels = 0;
  let forward = 0;
  let transfer = 0;
  await wait();
  // Chunks never span two kinds, so each kind's kernel time is measured, not apportioned.
  const chunks = session.plan.segments.flatMap((s) => Array.from({ length: Math.ceil(s.count / chunk) }, (_, i) => ({ kind: s.kind, first: s.start + i * chunk, count: Math.min(chunk, s.count - i * chunk) })));
  for (const { kind, first, count } of chunks) {
    let t0 = performance.now();
    // Waiting for a kernel still compiling in the background counts as kernel time.
    await session.inputsReady(first, count);
    session.writeInputs(first, count, buffer);
    await wait();
    const spent = performance.now() - t0;
    kernels += spent;
    byKind[kind] = (byKind[kind] ?? 0) + spent;
    t0 = performance.now();
    const shape: [number, number, number, number] = [count, height, width, input.shape[3]];
    let batch: tf.Tensor;
    if (zeroCopy) {
      batch = tf.tensor({ buffer, zeroCopy: true }, shape, 'float32');
    } else {
      const staging = engine.device.createBuffer({ size: session.inputBytes(count), usage: 0x1 | 0x8 });
      const encoder = engine.device.createCommandEncoder();
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, session.inputBytes(count));
      engine.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(0x1);
      batch = tf.tensor(new Float32Array(staging.getMappedRange().slice(0)), shape, 'float32');
      staging.destroy();
    }
    transfer += performance.now() - t0;
    t0 = performance.now();
    const logits = tf.tidy(() => split.logits(batch as tf.Tensor4D));
    const scores = await bridgeTensor(logits, engine.device);
    await wait();
    forward += performance.now() - t0;
    t0 = performance.now();
    session.addScores(first, count, scores.source);
    await wait();
    kernels += performance.now() - t0;
    byKind.scores = (byKind.scores ?? 0) + performance.now() - t0;
    scores.release();
    tf.dispose([batch, logits]);
  }
  await session.finish();
  buffer.destroy();
  bridged.release();
  input.dispose();
  return { entries: session.plan.entries, kernelsMs: kernels, forwardMs: forward, transferMs: transfer, byKindMs: byKind };
}

/** A model folder's name for file names: the folder above a converter's `layers` or `graph` folder. */
function modelTag(folder: string): string {
  return ['layers', 'graph'].includes(basename(folder)) ? basename(dirname(folder)) : basename(folder);
}

function bundledModelNote(): string {
  const weights = createHash('sha256').update(readFileSync(join(bundledModelDir, 'weights.bin'))).digest('hex').slice(0, 12);
  const readme = readFileSync(join(bundledModelDir, 'README.md'), 'utf8');
  return `models/shapes-cnn (weights.bin sha256 ${weights}…): ${readme.includes('auxiliary location loss') ? 'trained with an auxiliary location loss (partly mask-supervised maps)' : 'see its README for how it was trained'}`;
}

async function main(): Promise<void> {
  const runtime = await openModelRuntime({ backend });
  const modelDir = otherModel ?? bundledModelDir;
  const model = (await loadModel(join(modelDir, 'model.json'))) as tf.LayersModel;
  const explainer = new Explainer(model, { engine: runtime.engine!, preprocess });
  const modelNote = otherModel ? `${relative(root, otherModel)} (image ${relative(root, otherImage!)}, preprocessing ${preprocess})` : bundledModelNote();
  log(`${modelNote}; model on TF.js ${tf.getBackend()}, kernels on WebGPU (${runtime.reason})`);
  const size = 32;
  const data = otherImage ? [] : generateDataset(SHAPES_DATASET_SEEDS.heldOut, imagesUsed, { size });
  const images = otherImage ? [await readImage(otherImage)] : data.map((s) => ({ data: s.pixels, width: s.size, height: s.size }));
  // Shapes images are explained for their true class, the other model's image for its top-1.
  const target = data.map((s) => s.masks[0]!.label);
  const rows: PriceQualityRow[] = [];
  for (const method of shareOnly ? [] : (METHOD_NAMES as readonly MethodName[])) {
    try {
      await explainer.explain(images.slice(0, 1), { method, target: [target[0]!], size: 'input', overlay: false });
      const t0 = performance.now();
      const explanation = await explainer.explain(images, { method, target, size: 'input', overlay: false });
      const explainMs = (performance.now() - t0) / images.length;
      const heatmaps = explanation.items.map((item) => item.heatmap);
      const pointing = heatmaps.reduce((s, h, i) => s + pointingGameHit(h, data[i]!.masks[0]!.mask), 0) / images.length;
      const energy = heatmaps.reduce((s, h, i) => s + energyInside(h, data[i]!.masks[0]!.mask), 0) / images.length;
      const t1 = performance.now();
      const summary = averageFaithfulness(await measureFaithfulness(explainer, images, heatmaps, { target, steps }));
      const metricsMs = (performance.now() - t1) / images.length;
      rows.push({ method, title: METHODS[method].title, explainMs, pointing, energy, metricsMs, ...summary });
      log(`${method}: ${explainMs.toFixed(1)} ms/explanation, metrics ${metricsMs.toFixed(0)} ms/image, deletion ${summary.deletionAuc.toFixed(3)} insertion ${summary.insertionAuc.toFixed(3)} ROAD ${summary.roadCombined.toFixed(3)}`);
    } catch (error) {
      log(`${method}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const first = await explainer.explain(images.slice(0, 1), { method: 'gradcam', ...(otherImage ? {} : { target: [target[0]!] }), size: 'input', overlay: false });
  const share = await kernelShare(explainer, images[0]!, first.items[0]!.heatmap, first.items[0]!.classIndex, 64);
  const environment = { backend: tf.getBackend(), adapter: runtime.reason, images: imagesUsed, steps, model: modelNote, date: new Date().toISOString() };
  const markdown = formatPriceQuality(rows, share, environment);
  mkdirSync(outDir, { recursive: true });
  const name = `price-quality-${tf.getBackend()}${shareOnly ? '-share' : ''}${otherModel ? `-${modelTag(otherModel)}` : ''}`;
  writeFileSync(join(outDir, `${name}.md`), markdown);
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ environment, rows, kernelShare: share }, null, 2)}\n`);
  process.stdout.write(markdown);
  explainer.dispose();
  model.dispose();
  runtime.release();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[price-quality] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
