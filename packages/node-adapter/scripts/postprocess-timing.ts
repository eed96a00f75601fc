// Milliseconds per Grad-CAM post-processing call on wgcam's own Dawn device: 7×7×2048
// activations and gradients (already on the GPU) → heatmap and overlay at 224², image on
// the GPU too, so the time is the engine's kernels plus one readback of the outputs.
// Also prints the kernel dispatches of one call when the engine counts them.
//   npx tsx packages/node-adapter/scripts/postprocess-timing.ts [--rounds 20] [--normalize output|feature]
// WGCAM_CORE=/path/to/core/dist/index.js times another build of the engine (e.g. a copy of an
// earlier commit's packages/core/dist with its @wgcam/shaders next to it) in the same way.
const { CamEngine } = (await import(process.env['WGCAM_CORE'] ?? '@wgcam/core')) as typeof import('@wgcam/core');
import { createNodeDevice } from '../src/index.js';

const at = process.argv.indexOf('--rounds');
const rounds = at >= 0 ? Number(process.argv[at + 1]) : 20;
const normAt = process.argv.indexOf('--normalize');
const normalize = normAt >= 0 ? process.argv[normAt + 1] : undefined;
const node = await createNodeDevice();
const { device } = node;
const engine = new CamEngine(device);
const [h, w, c, size] = [7, 7, 2048, 224];
let seed = 1;
const random = (n: number, low: number, high: number): Float32Array =>
  Float32Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return low + ((high - low) * seed) / 2147483648;
  });
function gpuBuffer(data: ArrayBufferView): GPUBuffer {
  const buffer = device.createBuffer({ size: Math.ceil(data.byteLength / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}
const activations = gpuBuffer(random(h * w * c, 0, 1));
const gradients = gpuBuffer(random(h * w * c, -1, 1));
const image = gpuBuffer(new Uint8Array(size * size * 4).fill(128));
const options = {
  method: 'gradcam' as const,
  activations: { data: activations, shape: [1, h, w, c] },
  gradients: { data: gradients, shape: [1, h, w, c] },
  size: { height: size, width: size },
  overlay: { image: { data: image, width: size, height: size }, colormap: 'jet' as const },
  ...(normalize ? { normalize } : {}),
};
async function once(): Promise<number> {
  const start = performance.now();
  const result = engine.compute(options as Parameters<InstanceType<typeof CamEngine>['compute']>[0]);
  await result.read();
  result.release();
  return performance.now() - start;
}
for (let i = 0; i < 3; i++) await once();
const counter = (engine as unknown as { dispatchCount?: () => number }).dispatchCount;
const before = counter ? counter.call(engine) : NaN;
const times: number[] = [];
for (let i = 0; i < rounds; i++) times.push(await once());
const perCall = counter ? (counter.call(engine) - before) / rounds : NaN;
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(`gradcam 7×7×2048 → 224² heatmap + overlay${normalize ? ` (normalize ${normalize})` : ''}: median ${median.toFixed(2)} ms, min ${times[0]!.toFixed(2)} ms over ${rounds} calls; dispatches per call: ${Number.isNaN(perCall) ? 'not counted' : perCall}`);
engine.destroy();
for (const b of [activations, gradients, image]) b.destroy();
node.destroy();
