// End to end, what users see: seconds per explanation from image file to overlay file,
// through the library path of `wgcam explain` (ExplainSession.explainFiles), per model,
// TF.js backend and batch size, against the Python peer (pytorch-grad-cam's math on
// PyTorch CPU) when Python with torch is installed. Every way runs in its own process;
// rounds are interleaved (each round runs every way once, in rotating order).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METHODS, methodsInAll } from '@wgcam/core';
import type { E2eBackend, E2eCaseResult, E2eModel, E2ePlan, E2eResults, GraphOpenRow, MethodAllResult } from './e2e-types.js';
import { startLineWorker, type LineWorker } from './line-worker.js';
import type { ExplainReply, GraphOpenReply } from './protocol.js';

/** Where the suite finds its parts. */
export interface E2eContext {
  readonly benchDir: string;
  readonly shapesModel: string;
  /** ../shared/fixtures/keras, whose <name>/graph models are timed when present. */
  readonly kerasFixtures: string;
  readonly log: (line: string) => void;
}

const PEER_WAY = 'pytorch-grad-cam math (PyTorch CPU)';
const PEER_ARCH: Partial<Record<E2eModel, string>> = { 'resnet50-style': 'resnet50', 'mobilenetv2-style': 'mobilenet_v2' };
const GRAPH_FIXTURES = ['mobilenetv2', 'resnet_small', 'efficientnetb0'];

/** The model and image files the worker's `prepare` wrote. */
export interface Prepared {
  readonly models: Record<string, string>;
  readonly images: Record<string, string[]>;
}

function python(): string {
  return process.env.WGCAM_PEER_PYTHON ?? 'python3';
}

/** Same thread count for both: TF.js wasm runs on one thread in Node, so does the peer. */
const THREADS = 1;

interface Way {
  readonly name: string;
  readonly worker: LineWorker;
  readonly rounds: number;
  readonly profile: boolean;
  readonly note?: string;
  readonly samples: { seconds: number[]; model: number[]; cam: number[]; io: number[] };
}

function workerArgs(ctx: E2eContext, backend: E2eBackend, model: string): string[] {
  return [join(ctx.benchDir, 'dist', 'e2e', 'worker.js'), 'serve', '--backend', backend, '--model', model];
}

async function run(way: Way, images: readonly string[], out: string, method = 'gradcam'): Promise<ExplainReply> {
  const reply = await way.worker.ask<ExplainReply | { ok: false; error: string }>({ op: 'explain', images, out, method, profile: way.profile });
  if (!reply.ok) throw new Error(`${way.name}: ${reply.error}`);
  return reply;
}

async function runCase(ctx: E2eContext, plan: E2ePlan['cases'][number], prepared: Prepared, peerOk: boolean, out: string): Promise<E2eCaseResult> {
  const size = plan.model === 'shapes-cnn' ? 32 : 224;
  const images = prepared.images[String(size)]!.slice(0, plan.batch);
  const modelPath = plan.model === 'shapes-cnn' ? ctx.shapesModel : prepared.models[plan.model]!;
  const ways: Way[] = plan.backends.map(({ backend, rounds }) => ({
    name: `wgcam ${backend}`,
    worker: startLineWorker(process.execPath, [...workerArgs(ctx, backend, modelPath), ...(plan.model === 'shapes-cnn' ? [] : ['--preprocess', 'torch'])], ctx.log),
    rounds,
    // On webgpu the model's GPU work would land in the readback without waits: profile to split the stages.
    profile: backend === 'webgpu',
    ...(backend === 'webgpu' ? { note: 'stage split profiled (queue waits between stages)' } : {}),
    samples: { seconds: [], model: [], cam: [], io: [] },
  }));
  const arch = PEER_ARCH[plan.model];
  if (peerOk && arch && plan.peerRounds > 0) {
    ways.push({
      name: PEER_WAY,
      worker: startLineWorker(python(), [join(ctx.benchDir, 'peer', 'gradcam_peer.py'), '--arch', arch, '--threads', String(THREADS), '--size', String(size)], ctx.log),
      rounds: plan.peerRounds,
      profile: false,
      note: `torchvision ${arch}, random weights`,
      samples: { seconds: [], model: [], cam: [], io: [] },
    });
  }
  try {
    for (const way of ways) {
      const ready = await way.worker.ready;
      if (!ready.ok) throw new Error(`${way.name} did not start: ${ready.error}`);
      ctx.log(`e2e ${plan.model} B=${plan.batch}: ${way.name} ready (${ready.ready}); warm-up`);
      await run(way, images, join(out, 'warm-up'));
    }
    const rounds = Math.max(...ways.map((w) => w.rounds));
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = ways.map((_, i) => ways[(i + round) % ways.length]!).filter((w) => round < w.rounds);
      const seconds = new Map<string, number>();
      for (const way of order) {
        const reply = await run(way, images, join(out, `round-${round}`));
        way.samples.seconds.push(reply.seconds);
        way.samples.model.push(reply.model);
        way.samples.cam.push(reply.cam);
        way.samples.io.push(reply.io);
        seconds.set(way.name, reply.seconds);
      }
      const wasm = seconds.get('wgcam wasm');
      const peer = seconds.get(PEER_WAY);
      if (wasm !== undefined && peer !== undefined) ratios.push(wasm / peer);
      ctx.log(`e2e ${plan.model} B=${plan.batch} round ${round + 1}/${rounds}: ${[...seconds].map(([k, v]) => `${k} ${v.toFixed(3)} s`).join(', ')}`);
    }
    return {
      model: plan.model,
      batch: plan.batch,
      size,
      ways: ways.map((w) => ({ way: w.name, ...w.samples, ...(w.note ? { note: w.note } : {}) })),
      wasmOverPeer: ratios,
    };
  } finally {
    await Promise.all(ways.map((w) => w.worker.close()));
  }
}

/**
 * The `--method all` check: all, gradcam, cam and every method of `all` that adds model
 * passes, each timed alone on one image in rotating order, `rounds` times, in one wasm worker.
 *
 * @example
 * const result = await runMethodAll(ctx, 'shapes-cnn', 3, await prepareFiles(ctx, dir), join(dir, 'out'));
 */
export async function runMethodAll(ctx: E2eContext, model: E2eModel, rounds: number, prepared: Prepared, out: string): Promise<MethodAllResult> {
  const size = model === 'shapes-cnn' ? 32 : 224;
  const modelPath = model === 'shapes-cnn' ? ctx.shapesModel : prepared.models[model]!;
  const worker = startLineWorker(process.execPath, workerArgs(ctx, 'wasm', modelPath), ctx.log);
  const way: Way = { name: 'wgcam wasm', worker, rounds, profile: false, samples: { seconds: [], model: [], cam: [], io: [] } };
  // Every method of `all` that adds model passes (masked inputs, ablated heads) is timed alone:
  // its passes cost (method − cam), since a CAM request is one forward pass and the same I/O.
  const passMethods = methodsInAll().filter((m) => METHODS[m].passes !== undefined);
  const methods = ['all', 'gradcam', 'cam', ...passMethods];
  const seconds: Record<string, number[]> = Object.fromEntries(methods.map((m) => [m, []]));
  const images = prepared.images[String(size)]!.slice(0, 1);
  try {
    const ready = await worker.ready;
    if (!ready.ok) throw new Error(`wasm worker did not start: ${ready.error}`);
    // Warm-up builds the pipelines; on a 224² network a masked-pass call is minutes, so only the cheap methods warm up there.
    for (const m of model === 'shapes-cnn' ? methods : ['gradcam', 'cam']) await run(way, images, join(out, 'warm-up'), m);
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < methods.length; i++) {
        const m = methods[(i + round) % methods.length]!;
        seconds[m]!.push((await run(way, images, join(out, `all-${round}`), m)).seconds);
      }
      const at = (m: string): number => seconds[m]![round]!;
      ratios.push(at('all') / (at('gradcam') + passMethods.reduce((sum, m) => sum + at(m) - at('cam'), 0)));
      ctx.log(`e2e --method all on ${model} round ${round + 1}/${rounds}: ${methods.map((m) => `${m} ${at(m).toFixed(3)} s`).join(', ')}`);
    }
    return { model, seconds, ratios };
  } finally {
    await worker.close();
  }
}

async function runGraphOpen(ctx: E2eContext, rounds: number): Promise<GraphOpenRow[]> {
  const paths = [join(ctx.shapesModel, '..', '..', 'shapes-cnn-graph', 'model.json'), ...GRAPH_FIXTURES.map((n) => join(ctx.kerasFixtures, n, 'graph', 'model.json'))].filter((p) => existsSync(p));
  const worker = startLineWorker(process.execPath, workerArgs(ctx, 'wasm', ctx.shapesModel), ctx.log);
  try {
    const ready = await worker.ready;
    if (!ready.ok) throw new Error(`wasm worker did not start: ${ready.error}`);
    const reply = await worker.ask<GraphOpenReply | { ok: false; error: string }>({ op: 'graph-open', paths, rounds });
    if (!reply.ok) throw new Error(reply.error);
    return reply.rows.map((r) => ({ ...r, model: r.model.replace(/.*\/fixtures\//, 'fixtures/').replace(/.*\/models\//, 'models/') }));
  } finally {
    await worker.close();
  }
}

/**
 * Writes the benchmark's networks (seeded weights) and seeded images under `dir` (the
 * worker's `prepare`), and says where.
 *
 * @example
 * const { models, images } = await prepareFiles(ctx, mkdtempSync(join(tmpdir(), 'wgcam-e2e-')));
 */
export async function prepareFiles(ctx: E2eContext, dir: string): Promise<Prepared> {
  const preparer = startLineWorker(process.execPath, [join(ctx.benchDir, 'dist', 'e2e', 'worker.js'), 'prepare', dir], ctx.log);
  const prepared = (await preparer.ready) as unknown as Prepared & { ok: boolean; error?: string };
  await preparer.close();
  if (!prepared.ok) throw new Error(`preparing the model and image files failed: ${prepared.error}`);
  return prepared;
}

/** Asks the peer whether torch and OpenCV are there; the note says what was found or how to install it. */
async function checkPeer(ctx: E2eContext): Promise<{ available: boolean; note: string }> {
  const probe = startLineWorker(python(), [join(ctx.benchDir, 'peer', 'gradcam_peer.py'), '--check', '--threads', String(THREADS)], ctx.log);
  const ready = await probe.ready;
  await probe.close();
  return ready.ok
    ? { available: true, note: `${python()}: ${ready.ready}` }
    : { available: false, note: `the Python peer was skipped: ${ready.error ?? 'no reply'} (set WGCAM_PEER_PYTHON to a python with them)` };
}

/**
 * Runs the end-to-end plan: prepares model and image files, then every case, the
 * `--method all` check and the graph-opening rows.
 *
 * @example
 * const e2e = await runEndToEnd(e2ePlan('quick'), { benchDir, shapesModel, kerasFixtures, log });
 */
export async function runEndToEnd(plan: E2ePlan, ctx: E2eContext): Promise<E2eResults> {
  const failures: string[] = [];
  const skipped = [...plan.skipped];
  const dir = mkdtempSync(join(tmpdir(), 'wgcam-e2e-'));
  try {
    const peer = await checkPeer(ctx);
    ctx.log(`e2e peer: ${peer.note}`);
    if (!peer.available) skipped.push(peer.note);
    const prepared = await prepareFiles(ctx, dir);
    const cases: E2eCaseResult[] = [];
    for (const c of plan.cases) {
      if (c.model === 'shapes-cnn' && !existsSync(ctx.shapesModel)) {
        skipped.push(`e2e shapes-cnn: ${ctx.shapesModel} is missing`);
        continue;
      }
      try {
        cases.push(await runCase(ctx, c, prepared, peer.available, join(dir, 'out', `${c.model}-${c.batch}`)));
      } catch (error) {
        failures.push(`e2e ${c.model} B=${c.batch}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    let methodAll: MethodAllResult | null = null;
    if (plan.methodAll) {
      try {
        methodAll = await runMethodAll(ctx, plan.methodAll.model, plan.methodAll.rounds, prepared, join(dir, 'out', 'all'));
      } catch (error) {
        failures.push(`e2e --method all: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    let graphOpen: GraphOpenRow[] = [];
    try {
      graphOpen = await runGraphOpen(ctx, plan.graphOpenRounds);
    } catch (error) {
      failures.push(`graph opening: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { threads: `${THREADS} (TF.js wasm in Node runs one thread; the peer sets torch.set_num_threads(${THREADS}), set_num_interop_threads and cv2.setNumThreads to match)`, peer, cases, methodAll, graphOpen, skipped, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
