import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { SHAPE_CLASSES, SHAPES_DATASET_SEEDS, TRAINING_IMAGE_SIZE } from '../../src/index.js';
import { JsShapesCnn } from './js-cnn/network.js';
import { encodeSamples, openStream, type StreamMeta } from './stream-shards.js';
import type { StreamWorkerData } from './stream-worker.js';
import { deployedFromTorch, type TorchWeightsFile } from './torch-weights.js';
import type { TrainOptions } from './train-options.js';
import { checkTrainingMix } from './training-inputs.js';
import { CALIBRATION_IMAGES, calibrationImages, validateAndSave, validationSets } from './validation.js';

/** Samples per stream shard (a multiple of every batch size the trainer is run with). */
export const SHARD_SIZE = 1024;

/** Settings of the torch engine beyond the shared ones. */
export interface TorchOptions {
  /** Root folder of the stream shards (reused by later runs with the same stream). */
  readonly streamCache: string;
  /** Distinct stream samples; epochs past them revisit the stream from its start. */
  readonly streamImages: number;
  /** Node worker threads generating the stream. */
  readonly genThreads: number;
  /** Threads torch uses. */
  readonly torchThreads: number;
  /** Decoupled (AdamW) weight decay of the kernels. */
  readonly weightDecay: number;
  /** Random left-right and top-bottom flips of the training images (labels unchanged). */
  readonly flips?: boolean;
  readonly python: string;
  /** Where to keep the last epoch's PyTorch weights (JSON, PyTorch layouts), for a later --init-from. */
  readonly keepTorchWeights?: string;
  /** PyTorch weights of an earlier run (a --keep-torch-weights file) to start from. */
  readonly initFrom?: string;
}

/** One line of the Python trainer's stdout. */
interface EpochReport {
  epoch: number;
  weights: string;
  loss: number;
  acc: number;
  seconds: number;
  lr: number;
}

/**
 * Trains in PyTorch (CPU) with the training stream generated here: worker threads write the
 * stream (trainingItem at full clutter) as shards on disk (lib/stream-shards.ts), and
 * scripts/torch/train_shapes.py reads them as they appear, trains conv → BN → ReLU on labels
 * alone (Adam, cosine decay), measures the BN population statistics on the same calibration
 * images as the js engine, and writes its weights after every epoch. Each epoch's weights are
 * converted here (OIHW → HWIO, BN folded; lib/torch-weights.ts), scored on the validation sets
 * and saved as the TF.js LayersModel, so the files hold the last epoch. No curriculum: the
 * stream is the same for every run length, so its shards are shared between runs.
 */
export async function trainWithTorch(o: TrainOptions, t: TorchOptions): Promise<void> {
  await tf.setBackend('cpu');
  const size = TRAINING_IMAGE_SIZE;
  if (o.clutterWarmup !== 0) throw new Error('--engine torch trains at full clutter from the start: pass --clutter-warmup 0');
  if (o.auxWeight !== 0) throw new Error('--engine torch trains on labels alone: --aux-weight must be 0');
  if (o.checkpoint !== undefined || o.resume !== undefined) throw new Error('--engine torch has no --checkpoint/--resume');
  checkTrainingMix({ size, twoObjectEvery: o.twoObjectEvery, videoEvery: o.videoEvery, videoWidth: o.videoWidth });
  for (const [name, v] of [
    ['--per-epoch', o.perEpoch],
    ['--stream-images', t.streamImages],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0 || v % SHARD_SIZE !== 0) throw new Error(`${name} must be a positive multiple of ${SHARD_SIZE} with --engine torch, got ${v}`);
  }
  if (SHARD_SIZE % o.batchSize !== 0) throw new Error(`--batch must divide ${SHARD_SIZE}`);
  if (CALIBRATION_IMAGES % o.batchSize !== 0) throw new Error(`--batch must divide ${CALIBRATION_IMAGES}`);

  const meta: StreamMeta = { seed: SHAPES_DATASET_SEEDS.train, size, videoEvery: o.videoEvery, twoObjectEvery: o.twoObjectEvery, videoWidth: o.videoWidth, shardSize: SHARD_SIZE, clutter: 1 };
  const folder = openStream(t.streamCache, meta);
  const shardsNeeded = Math.min(t.streamImages, o.epochs * o.perEpoch) / SHARD_SIZE;
  const work = mkdtempSync(join(tmpdir(), 'wgcam-torch-'));
  const calibrationFile = join(work, 'calibration.bin');
  writeFileSync(calibrationFile, encodeSamples(calibrationImages(size, o.videoEvery, o.videoWidth).map((input) => ({ input, labels: [0] }))));
  const sets = validationSets(size, o.valSize, o.videoEvery > 0);

  const workers = [...Array(t.genThreads).keys()].map((w) => {
    const data: StreamWorkerData = { entry: new URL('./stream-worker.ts', import.meta.url).href, folder, meta, first: w, step: t.genThreads, end: shardsNeeded };
    return new Worker(new URL('./train-worker-bootstrap.mjs', import.meta.url), { workerData: data });
  });
  const script = fileURLToPath(new URL('../torch/train_shapes.py', import.meta.url));
  const args = [
    '-B', // no __pycache__ beside the script
    script,
    ...['--stream', folder, '--calibration', calibrationFile, '--calibration-count', String(CALIBRATION_IMAGES), '--work', work],
    ...['--epochs', String(o.epochs), '--per-epoch', String(o.perEpoch), '--stream-images', String(t.streamImages), '--batch', String(o.batchSize)],
    ...['--filters', o.filters.join(','), '--lr', String(o.learningRate), '--weight-decay', String(t.weightDecay)],
    ...['--init-seed', String(o.initSeed), '--threads', String(t.torchThreads)],
    ...(t.initFrom === undefined ? [] : ['--init-from', t.initFrom]),
    ...(t.flips ? ['--flips'] : []),
  ];
  const python = spawn(t.python, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    python.on('error', (e) => reject(new Error(`--engine torch could not start ${t.python} (it needs python3 with torch and numpy): ${e.message}`)));
    python.on('exit', (code, signal) => (code === 0 || signal === 'SIGTERM' ? resolve() : reject(new Error(`${t.python} ${script} exited with ${code ?? signal}`))));
  });
  const generatorFailed = new Promise<never>((_, reject) => workers.forEach((w) => w.on('error', reject)));
  generatorFailed.catch(() => python.kill());

  const started = Date.now();
  let last = '';
  const consume = async () => {
    for await (const line of createInterface({ input: python.stdout })) {
      const r = JSON.parse(line) as EpochReport;
      const t0 = Date.now();
      const params = deployedFromTorch(JSON.parse(readFileSync(r.weights, 'utf8')) as TorchWeightsFile, SHAPE_CLASSES.length);
      const net = new JsShapesCnn(size, o.filters, SHAPE_CLASSES.length, params);
      const { text } = await validateAndSave(net, sets, o.outDir);
      if (t.keepTorchWeights !== undefined) copyFileSync(r.weights, t.keepTorchWeights);
      rmSync(r.weights);
      last = text;
      console.log(
        `epoch ${r.epoch}/${o.epochs} lr ${r.lr.toFixed(5)} loss ${r.loss.toFixed(4)} train-acc ${r.acc.toFixed(4)} ${text} | ` +
          `train ${r.seconds.toFixed(1)}s (${((1000 * r.seconds) / o.perEpoch).toFixed(2)} ms/img) val ${((Date.now() - t0) / 1000).toFixed(1)}s total ${((Date.now() - started) / 60000).toFixed(1)}min`,
      );
      if (Date.now() > o.deadline && r.epoch < o.epochs) {
        console.log('time budget reached, stopping');
        python.kill('SIGTERM');
        break;
      }
    }
  };
  try {
    await Promise.race([Promise.all([consume(), exited]), generatorFailed]);
  } finally {
    python.kill();
    await Promise.all(workers.map((w) => w.terminate()));
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min, last epoch: ${last}`);
}
