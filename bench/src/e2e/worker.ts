// A worker process of the end-to-end suite, on one TF.js backend (TF.js has one backend per
// process). `prepare DIR`: writes the benchmark's networks (seeded weights) as model files
// and seeded PNG images, and prints where. `serve --backend B --model M [--layer L]
// [--preprocess P]`: opens an ExplainSession (what `wgcam explain` uses) and answers the
// requests of protocol.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { encodePng, ExplainSession, isModelBackend, loadModel, useTfjsWasm, writeFileAtomic } from '@wgcam/node-adapter';
import { splitGraphModel } from '@wgcam/core/tfjs';
import { syntheticImage } from '../inputs/synthetic-image.js';
import { buildMobileNetV2 } from '../models/mobilenet-v2.js';
import { buildResNet50 } from '../models/resnet50.js';
import { REPLY_PREFIX, type ExplainReply, type GraphOpenReply, type WorkerRequest } from './protocol.js';
import { saveLayersModel } from './save-model.js';

const reply = (value: unknown): void => void process.stdout.write(`${REPLY_PREFIX}${JSON.stringify(value)}\n`);
const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
};

/** Images per size: enough for the largest batch. */
export const E2E_IMAGES = 8;

async function prepare(dir: string): Promise<void> {
  const models: Record<string, string> = {};
  for (const [name, build] of [['mobilenetv2-style', () => buildMobileNetV2(7)], ['resnet50-style', () => buildResNet50(11)]] as const) {
    const model = build();
    models[name] = await saveLayersModel(model, join(dir, name));
    model.dispose();
  }
  const images: Record<number, string[]> = {};
  for (const size of [32, 224]) {
    const folder = join(dir, `images-${size}`);
    mkdirSync(folder, { recursive: true });
    images[size] = [];
    for (let i = 0; i < E2E_IMAGES; i++) {
      const path = join(folder, `image-${i}.png`);
      await writeFileAtomic(path, await encodePng({ data: syntheticImage(size, size, 100 + i), width: size, height: size }));
      images[size].push(path);
    }
  }
  reply({ ok: true, models, images });
}

async function graphOpen(paths: readonly string[], rounds: number): Promise<GraphOpenReply> {
  const rows: { model: string; openMs: number[]; forwardMs: number[] }[] = [];
  for (const path of paths) {
    const model = await loadModel(path);
    if (!(model instanceof tf.GraphModel)) throw new Error(`${path} is not a graph model`);
    const input = model.inputs[0]!;
    const shape = input.shape!.map((d, i) => (d === -1 ? (i === 0 ? 1 : 224) : d));
    const x = tf.zeros(shape);
    tf.dispose(model.execute({ [input.name]: x }) as tf.Tensor); // warm-up
    const openMs: number[] = [];
    const forwardMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Interleaved: opening, then one forward pass, every round.
      let t = performance.now();
      splitGraphModel(model).dispose();
      openMs.push(performance.now() - t);
      t = performance.now();
      const y = model.execute({ [input.name]: x }) as tf.Tensor;
      await y.data();
      y.dispose();
      forwardMs.push(performance.now() - t);
    }
    x.dispose();
    model.dispose();
    rows.push({ model: path, openMs, forwardMs });
  }
  return { ok: true, rows };
}

async function serve(): Promise<void> {
  const backend = arg('--backend') ?? 'wasm';
  if (!isModelBackend(backend)) throw new Error(`--backend: unknown backend '${backend}'`);
  const layer = arg('--layer');
  const preprocess = arg('--preprocess');
  const session = await ExplainSession.open({
    model: arg('--model')!,
    backend,
    ...(layer ? { layer } : {}),
    ...(preprocess ? { preprocess: preprocess as 'unit' } : {}),
  });
  reply({ ok: true, ready: `${backend}, TF.js ${tf.getBackend()}` });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const request = JSON.parse(line) as WorkerRequest;
    try {
      if (request.op === 'exit') break;
      if (request.op === 'graph-open') {
        if (backend === 'wasm' && tf.getBackend() !== 'wasm') await useTfjsWasm();
        reply(await graphOpen(request.paths, request.rounds));
        continue;
      }
      const start = performance.now();
      const reports = await session.explainFiles(request.images, { method: request.method as 'gradcam', out: request.out, batch: request.images.length, panel: false, profile: request.profile ?? false });
      const seconds = (performance.now() - start) / 1000;
      const failed = reports.find((r) => !r.ok);
      if (failed) throw new Error(`${failed.file}: ${failed.error}`);
      const sum = (pick: (t: (typeof reports)[number]['timings']) => number): number => reports.reduce((s, r) => s + pick(r.timings), 0) / 1000;
      const model = sum((t) => t.preprocess + t.model);
      const cam = sum((t) => t.cam + t.readback);
      const result: ExplainReply = { ok: true, seconds, model, cam, io: Math.max(0, seconds - model - cam) };
      reply(result);
    } catch (error) {
      reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  await session.dispose();
}

const mode = process.argv[2];
(mode === 'prepare' ? prepare(process.argv[3]!) : serve()).then(
  () => process.exit(0),
  (error: unknown) => {
    reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
