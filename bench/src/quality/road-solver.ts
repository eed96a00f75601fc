// ROAD's imputation kernel alone (road_impute), without a model: how long the GPU takes to
// write every ROAD input of shapes images, and how far those inputs are from the float64
// exact solve (relative L2 over each input, as the kernel tests compare). A quick loop for
// tuning the solver; the kernels' share of the forward passes is price-quality.ts's.
//
//   npx tsx bench/src/quality/road-solver.ts [--images N] [--size S] [--repeats R]
import { CamEngine, FaithfulnessSession } from '@wgcam/core';
import { perturbedInputs, relativeL2 } from '@wgcam/core/reference';
import { createNodeDevice } from '@wgcam/node-adapter';
import { generateDataset, mulberry32, SHAPES_DATASET_SEEDS } from '@wgcam/shapes';

function flag(name: string, fallback: string): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback);
}

const imagesCount = flag('images', '2');
const size = flag('size', '32');
const repeats = flag('repeats', '3');

/** A smooth random map (noise on a 4×4 grid, bilinear) blended with the object's mask: a CAM-like map with plateaus and ties. */
function camLikeMap(rng: () => number, mask: Uint8Array, n: number): Float32Array {
  const grid = 4;
  const coarse = Float64Array.from({ length: grid * grid }, () => rng());
  return Float32Array.from({ length: n * n }, (_, i) => {
    const y = Math.min(Math.floor(((Math.floor(i / n) + 0.5) * grid) / n), grid - 1);
    const x = Math.min(Math.floor((((i % n) + 0.5) * grid) / n), grid - 1);
    return 0.5 * coarse[y * grid + x]! + 0.5 * (mask[i]! > 0 ? 1 : 0);
  });
}

async function main(): Promise<void> {
  const node = await createNodeDevice();
  const engine = new CamEngine(node.device);
  const data = generateDataset(SHAPES_DATASET_SEEDS.heldOut, imagesCount, { size });
  const rng = mulberry32(5);
  const input = new Float32Array(imagesCount * size * size * 3);
  // RGBA samples to RGB model inputs in [0, 1].
  data.forEach((s, b) => {
    for (let i = 0; i < size * size * 3; i++) input[b * size * size * 3 + i] = s.pixels[Math.floor(i / 3) * 4 + (i % 3)]! / 255;
  });
  const maps = new Float32Array(imagesCount * size * size);
  data.forEach((s, b) => maps.set(camLikeMap(rng, s.masks[0]!.mask, size), b * size * size));
  const session = new FaithfulnessSession(engine, { input: { data: input, shape: [imagesCount, size, size, 3] }, maps: { data: maps, shape: [imagesCount, size, size] }, targets: 0, classes: 2 });
  const road = session.plan.segments.find((s) => s.kind === 'road')!;
  const out = node.device.createBuffer({ size: session.inputBytes(road.count), usage: 0x80 | 0x4 | 0x8 });
  // The solver is compiled before the timed runs (in the background since the session was created).
  await session.inputsReady(road.start, road.count);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    await node.device.queue.onSubmittedWorkDone();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    session.writeInputs(road.start, road.count, out);
    await node.device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
  }
  const staging = node.device.createBuffer({ size: session.inputBytes(road.count), usage: 0x1 | 0x8 });
  const encoder = node.device.createCommandEncoder();
  encoder.copyBufferToBuffer(out, 0, staging, 0, session.inputBytes(road.count));
  node.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  const actual = new Float32Array(staging.getMappedRange().slice(0));
  const expected = perturbedInputs(session.plan, input, maps, { batch: imagesCount, height: size, width: size, channels: 3 }, road.start, road.count);
  const per = size * size * 3;
  let worst = 0;
  const errors: number[] = [];
  for (let q = 0; q < road.count; q++) errors.push(relativeL2(actual.subarray(q * per, (q + 1) * per), expected.subarray(q * per, (q + 1) * per)));
  for (const e of errors) worst = Math.max(worst, e);
  if (process.argv.includes('--verbose')) process.stdout.write(`per input: ${errors.map((e) => e.toExponential(1)).join(' ')}\n`);
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  process.stdout.write(
    `road_impute: ${imagesCount} image(s) ${size}x${size}x3, ${road.count} ROAD inputs: median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms (runs ${times.map((t) => t.toFixed(0)).join(', ')} ms), ` +
      `${(times[Math.floor(times.length / 2)]! / road.count).toFixed(1)} ms per input wall; CPU time of the process (SwiftShader threads included; less sensitive to other load), fastest run ${cpu[0]!.toFixed(0)} ms, ${(cpu[0]! / road.count).toFixed(1)} ms per input; worst input relative L2 vs float64 exact solve ${worst.toExponential(2)}\n`,
  );
  session.release();
  out.destroy();
  staging.destroy();
  engine.destroy();
  node.destroy();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
