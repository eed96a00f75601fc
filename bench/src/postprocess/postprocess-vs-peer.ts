// Grad-CAM post-processing, wgcam against numpy + OpenCV, for one case: 7×7×2048
// activations and gradients (already on the GPU for wgcam, already in memory for the
// peer) → heatmap and RGBA overlay at 224², batch 1. Records the milliseconds per call of
// both (wgcam: engine.compute + readback of both outputs), their ratio, the CPU time per
// call of each process (all its threads: SwiftShader's workers too; a figure the machine's
// load moves far less than wall time), the kernel
// dispatches per call and each dispatch's workgroups, and writes
// bench/results/postprocess-peer.{json,md}. The peer is bench/peer/postprocess_peer.py,
// run when python3 has numpy and OpenCV (skipped with a note otherwise).
//
//   npx tsx bench/src/postprocess/postprocess-vs-peer.ts [--rounds 40] [--no-subgroups] [--out DIR]
//
// WGCAM_CORE=/path/to/core/dist/index.js times another build of the engine the same way
// (the before/after figures of a change). Timings are medians of rounds in which the peer
// (a batch of its own calls) and wgcam alternate, so both see the same machine load.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeDevice } from '@wgcam/node-adapter';

const { CamEngine } = (await import(process.env['WGCAM_CORE'] ?? '@wgcam/core')) as typeof import('@wgcam/core');

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const rounds = Number(arg('--rounds') ?? 40);
const outDir = resolve(arg('--out') ?? join(benchDir, 'results'));
const [h, w, c, size] = [7, 7, 2048, 224];

const node = await createNodeDevice({ subgroups: !process.argv.includes('--no-subgroups') });
const { device } = node;
const engine = new CamEngine(device);
if (process.env['WGCAM_CORE']) {
  // The other build keeps its own registry of waits: give it the Dawn wait createNodeDevice
  // registered with @wgcam/core, or its readbacks would busy-poll and the builds differ in more
  // than the change timed.
  const other = (await import(process.env['WGCAM_CORE'])) as Partial<typeof import('@wgcam/core')>;
  const dawnWait = join(benchDir, '..', 'packages', 'node-adapter', 'dist', 'dawn-wait.js');
  const { throttledDawnWait } = (await import(dawnWait)) as { throttledDawnWait: import('@wgcam/core').GpuWait };
  other.setGpuWait?.(device, throttledDawnWait);
}

// Every dispatch's pipeline and workgroups, from the pass encoder itself (any engine build).
const dispatched: string[] = [];
let recording = false;
const passProto = (globalThis as unknown as { GPUComputePassEncoder: { prototype: GPUComputePassEncoder } }).GPUComputePassEncoder.prototype;
const setPipeline = passProto.setPipeline;
const dispatchWorkgroups = passProto.dispatchWorkgroups;
let current = '';
passProto.setPipeline = function (this: GPUComputePassEncoder, pipeline: GPUComputePipeline) {
  current = pipeline.label;
  return setPipeline.call(this, pipeline);
};
passProto.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y?: number, z?: number) {
  if (recording) dispatched.push(`${current}: ${x * (y ?? 1) * (z ?? 1)}`);
  return dispatchWorkgroups.call(this, x, y, z);
};

function gpuBuffer(data: ArrayBufferView): GPUBuffer {
  const buffer = device.createBuffer({ size: Math.ceil(data.byteLength / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}
let seed = 1;
const random = (n: number, low: number, high: number): Float32Array =>
  Float32Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return low + ((high - low) * seed) / 2147483648;
  });
const activations = gpuBuffer(random(h * w * c, 0, 1));
const gradients = gpuBuffer(random(h * w * c, -1, 1));
const image = gpuBuffer(new Uint8Array(size * size * 4).fill(128));
const options = {
  method: 'gradcam' as const,
  activations: { data: activations, shape: [1, h, w, c] },
  gradients: { data: gradients, shape: [1, h, w, c] },
  size: { height: size, width: size },
  overlay: { image: { data: image, width: size, height: size }, colormap: 'jet' as const },
};

/** Wall and process CPU milliseconds of one call. */
async function wgcamOnce(): Promise<{ wall: number; cpu: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = engine.compute(options);
  await result.read();
  result.release();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

interface PeerReply {
  readonly ok: boolean;
  readonly median_ms?: number;
  readonly cpu_median_ms?: number;
  readonly versions?: string;
  readonly error?: string;
}
function peerOnce(calls: number): PeerReply {
  try {
    const out = execFileSync('python3', [join(benchDir, 'peer', 'postprocess_peer.py'), '--rounds', String(calls)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').at(-1)!) as PeerReply;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout?.trim();
    return stdout ? (JSON.parse(stdout.split('\n').at(-1)!) as PeerReply) : { ok: false, error: (error as Error).message };
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

for (let i = 0; i < 3; i++) await wgcamOnce();
const before = engine.dispatchCount();
recording = true;
await wgcamOnce();
recording = false;
const dispatches = engine.dispatchCount() - before;

const wgcamTimes: number[] = [];
const wgcamCpu: number[] = [];
const peerMedians: number[] = [];
const peerCpuMedians: number[] = [];
let peer: PeerReply = { ok: false };
const chunks = 4;
for (let chunk = 0; chunk < chunks; chunk++) {
  peer = peerOnce(Math.ceil(rounds / chunks));
  if (peer.ok && peer.median_ms !== undefined) peerMedians.push(peer.median_ms);
  if (peer.ok && peer.cpu_median_ms !== undefined) peerCpuMedians.push(peer.cpu_median_ms);
  for (let i = 0; i < Math.ceil(rounds / chunks); i++) {
    const { wall, cpu } = await wgcamOnce();
    wgcamTimes.push(wall);
    wgcamCpu.push(cpu);
  }
}
const wgcamMs = median(wgcamTimes);
const peerMs = peerMedians.length > 0 ? median(peerMedians) : null;
const wgcamCpuMs = median(wgcamCpu);
const peerCpuMs = peerCpuMedians.length > 0 ? median(peerCpuMedians) : null;
const adapter = node.report;
const result = {
  case: `Grad-CAM 7×7×2048 → 224² heatmap + RGBA overlay, batch 1`,
  adapter: `${adapter.kind}: ${adapter.description}`,
  engine: process.env['WGCAM_CORE'] ?? '@wgcam/core',
  subgroups: device.features.has('subgroups'),
  dispatchesPerCall: dispatches,
  workgroupsPerDispatch: dispatched,
  wgcamMedianMs: wgcamMs,
  wgcamMinMs: Math.min(...wgcamTimes),
  wgcamSamplesMs: wgcamTimes,
  wgcamCpuMedianMs: wgcamCpuMs,
  peer: peer.ok ? { versions: peer.versions, medianMs: peerMs, chunkMediansMs: peerMedians, cpuMedianMs: peerCpuMs } : { skipped: peer.error ?? 'python3 with numpy and OpenCV not found' },
  ratio: peerMs !== null ? wgcamMs / peerMs : null,
  cpuRatio: peerCpuMs !== null ? wgcamCpuMs / peerCpuMs : null,
  loadAverage: loadavg()[0] ?? 0,
};
const lines = [
  `## Post-processing: wgcam vs numpy + OpenCV`,
  '',
  `${result.case}; ${result.adapter}; subgroups ${result.subgroups ? 'on' : 'off'}; engine ${result.engine}.`,
  '',
  `| | ms per call (median) | CPU ms per call (median, all threads) |`,
  `| --- | --- | --- |`,
  `| wgcam (compute + readback) | ${wgcamMs.toFixed(2)} (min ${result.wgcamMinMs.toFixed(2)}, ${wgcamTimes.length} calls) | ${wgcamCpuMs.toFixed(2)} |`,
  `| numpy + OpenCV | ${peerMs !== null ? `${peerMs.toFixed(2)} (${peer.versions})` : `skipped: ${result.peer.skipped as string}`} | ${peerCpuMs !== null ? peerCpuMs.toFixed(2) : '-'} |`,
  `| ratio wgcam / peer | ${result.ratio !== null ? `${result.ratio.toFixed(2)}×` : '-'} | ${result.cpuRatio !== null ? `${result.cpuRatio.toFixed(2)}×` : '-'} |`,
  '',
  `Load average (1 min) at the end: ${result.loadAverage.toFixed(2)} on ${cpus().length} CPUs.`,
  '',
  `Dispatches per call: ${dispatches} (${dispatched.join('; ')} workgroups).`,
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'postprocess-peer.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, 'postprocess-peer.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
engine.destroy();
for (const b of [activations, gradients, image]) b.destroy();
node.destroy();
process.exit(0);
