// Seconds per explanation of the benchmark's ResNet50-style network (seeded weights, 224²,
// explained at its 7×7×2048 last block) with the model on each TF.js backend — webgpu on
// the engine's device (zero copy), wasm and cpu with the engine on wgcam's own Dawn device —
// Grad-CAM with the overlay; and, on wasm, every method from one model pass (explainMany)
// against one explain() call per method (what the pipeline did before) and one method.
//   npx tsx packages/node-adapter/scripts/backend-timing.ts [--rounds 3] [--cpu-rounds 1] [--skip-cpu] [--skip-webgpu]
//       [--methods cam,gradcam,...] [--json out.json]
// The method comparison runs the six gradient and CAM methods of the original table by
// default (--methods to change). Score-CAM needs 2048 masked forward passes here (minutes on
// a CPU), so it is left out and one chunk of 32 masked forwards is timed instead.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { CamEngine, isMethodName, type MethodName } from '@wgcam/core';
import { Explainer } from '@wgcam/core/tfjs';
import { createNodeDevice, useTfjsWasm, useTfjsWebGpu } from '../src/index.js';

interface ResNetModule {
  buildResNet50(seed: number): tf.LayersModel;
  readonly RESNET_TARGET_LAYER: string;
}
// The benchmark's own builder, so that both time the same network.
const { buildResNet50, RESNET_TARGET_LAYER } = (await import(new URL('../../../bench/src/models/resnet50.ts', import.meta.url).href)) as ResNetModule;

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function numberFlag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number ≥ 1, got '${process.argv[at + 1]}'`);
  return value;
}
const rounds = numberFlag('--rounds', 3);
const cpuRounds = numberFlag('--cpu-rounds', 1);
const methodsAt = process.argv.indexOf('--methods');
const comparedMethods = (methodsAt >= 0 ? process.argv[methodsAt + 1]!.split(',') : ['cam', 'gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam']).map((m) => {
  if (!isMethodName(m)) throw new Error(`--methods: unknown method '${m}'`);
  return m;
});
const jsonAt = process.argv.indexOf('--json');
const jsonPath = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;

const SIZE = 224;
function seededImage(seed: number): { data: Uint8Array; width: number; height: number } {
  let s = seed;
  const data = new Uint8Array(SIZE * SIZE * 4);
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = i % 4 === 3 ? 255 : s % 256;
  }
  return { data, width: SIZE, height: SIZE };
}
const image = seededImage(3);

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (s: number): string => (s >= 10 ? s.toFixed(1) : s.toFixed(3));

type Backend = 'wasm' | 'cpu' | 'webgpu';
interface BackendFigures {
  backend: Backend;
  firstCall: number;
  gradcam: number[];
  modelShare: number;
}
interface MethodFigures {
  methods: MethodName[];
  oneMethod: number[];
  separateCalls: number[];
  explainMany: number[];
  scoreCamChunk32: number;
}

const node = await createNodeDevice();
const engine = new CamEngine(node.device);
const results: BackendFigures[] = [];
let methodFigures: MethodFigures | null = null;
const backends: Backend[] = ['wasm', ...(flag('--skip-cpu') ? [] : (['cpu'] as const)), ...(flag('--skip-webgpu') ? [] : (['webgpu'] as const))];

for (const backend of backends) {
  if (backend === 'webgpu') await useTfjsWebGpu();
  else if (backend === 'wasm') await useTfjsWasm();
  else await tf.setBackend('cpu');
  // Built after the switch, so that the weights live on this backend.
  const model = buildResNet50(11);
  const explainer = new Explainer(model, { layer: RESNET_TARGET_LAYER, ...(backend === 'webgpu' ? {} : { engine }) });
  const gradcam = () => explainer.explain(image, { method: 'gradcam' });
  process.stderr.write(`${backend}: first call (builds kernels and moves weights)...\n`);
  const firstCall = await seconds(gradcam);
  const n = backend === 'wasm' ? rounds : backend === 'cpu' ? cpuRounds : 1;
  const times: number[] = [];
  let modelMs = 0;
  let totalMs = 0;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const e = await gradcam();
    times.push((performance.now() - start) / 1000);
    modelMs += e.timings.model;
    totalMs += e.timings.total;
    process.stderr.write(`${backend}: Grad-CAM + overlay ${fmt(times[i]!)} s\n`);
  }
  results.push({ backend, firstCall, gradcam: times, modelShare: modelMs / totalMs });
  if (backend === 'wasm') {
    const methods = comparedMethods;
    const figures: MethodFigures = { methods, oneMethod: times, separateCalls: [], explainMany: [], scoreCamChunk32: 0 };
    await explainer.explainMany(image, { methods }); // builds every method's kernels once
    for (let i = 0; i < rounds; i++) {
      figures.separateCalls.push(await seconds(async () => {
        for (const method of methods) await explainer.explain(image, { method });
      }));
      figures.explainMany.push(await seconds(() => explainer.explainMany(image, { methods })));
      process.stderr.write(`wasm: ${methods.length} methods: separate ${fmt(figures.separateCalls[i]!)} s, one pass ${fmt(figures.explainMany[i]!)} s\n`);
    }
    const masked = tf.tidy(() => tf.tile(tf.randomUniform([1, SIZE, SIZE, 3]), [32, 1, 1, 1]) as tf.Tensor4D);
    figures.scoreCamChunk32 = await seconds(async () => {
      const logits = explainer.split.logits(masked);
      await logits.data();
      logits.dispose();
    });
    masked.dispose();
    methodFigures = figures;
  }
  explainer.dispose();
  model.dispose();
}

const cores = cpus().length;
const lines = [
  `ResNet50-style (bench, seed 11) at ${SIZE}², layer ${RESNET_TARGET_LAYER}; ${node.report.description || node.report.device} (${node.report.kind}); ${cores} CPU cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; TF.js ${tf.version.tfjs}`,
  '',
  '| model on | s per Grad-CAM + overlay (median) | runs | first call | model share |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.backend} | ${fmt(median(r.gradcam))} | ${r.gradcam.length} | ${fmt(r.firstCall)} | ${(r.modelShare * 100).toFixed(1)}% |`),
];
if (methodFigures) {
  const m = methodFigures;
  lines.push(
    '',
    `wasm, ${m.methods.length} methods (${m.methods.join(', ')}), median of ${m.explainMany.length}:`,
    '',
    '| run | s per image |',
    '| --- | ---: |',
    `| one method (Grad-CAM) | ${fmt(median(m.oneMethod))} |`,
    `| ${m.methods.length} methods, one explain() each (before) | ${fmt(median(m.separateCalls))} |`,
    `| ${m.methods.length} methods, explainMany (one forward + one backward) | ${fmt(median(m.explainMany))} |`,
    '',
    `Score-CAM (left out): one chunk of 32 masked forwards takes ${fmt(m.scoreCamChunk32)} s; its 2048 channels need 64 chunks, once per call either way.`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify({ results, methods: methodFigures, cores, adapter: node.report }, null, 2)}\n`);
engine.destroy();
node.destroy();
