// ROAD's imputation (road_impute's conjugate-gradient solve) against the float64 exact
// solve, where relaxation methods crawl: CAM-like maps whose removed pixels form large
// connected regions touching the image border (the system is then nearly singular), plus
// i.i.d. random maps (scattered holes), over several sizes and channel counts. Noise 0, so
// the comparison is the solve alone; faithfulness.test.ts covers the noise.
import { describe, expect, it } from 'vitest';
import { FaithfulnessSession } from '../src/index.js';
import { readBuffers } from '../src/gpu/readback.js';
import { perturbedInputs, relativeL2 } from '../src/reference/index.js';
import { makeRng, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();
const USAGE = 0x0080 | 0x0004 | 0x0008; // STORAGE | COPY_SRC | COPY_DST
/** The bound each ROAD input is held to (relative L2 over the input; the issue asks for 1e-4). */
const BOUND = 1e-5;

type MapKind = 'blobs' | 'blocks' | 'ramp' | 'iid';

/** Maps in [0, 1]: smooth blobs (a CAM), 4×4 plateaus (many ties), a diagonal ramp (MoRF keeps one corner), i.i.d. noise. */
function makeMap(kind: MapKind, rng: () => number, height: number, width: number): Float32Array {
  const map = new Float32Array(height * width);
  const blobs = Array.from({ length: 3 }, () => ({ y: rng() * height, x: rng() * width, s: (0.15 + 0.2 * rng()) * Math.max(height, width), a: 0.3 + 0.7 * rng() }));
  const grid = Array.from({ length: 16 }, () => rng());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number;
      if (kind === 'blobs') v = blobs.reduce((s, b) => s + b.a * Math.exp(-((y - b.y) ** 2 + (x - b.x) ** 2) / (2 * b.s * b.s)), 0);
      else if (kind === 'blocks') v = grid[Math.min(3, Math.floor((4 * y) / height)) * 4 + Math.min(3, Math.floor((4 * x) / width))]!;
      else if (kind === 'ramp') v = (y + x + 0.5 * rng()) / (height + width);
      else v = rng();
      map[y * width + x] = v;
    }
  }
  let low = Infinity;
  let high = -Infinity;
  for (const v of map) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return map.map((v) => (v - low) / (high - low));
}

/** A smooth image plus pixel noise, so the imputed values vary over the removed regions. */
function makeImage(rng: () => number, height: number, width: number, channels: number): Float32Array {
  const noise = randomFloats(rng, height * width * channels, -0.2, 0.2);
  const phase = Array.from({ length: channels }, () => rng() * 6);
  return noise.map((n, i) => {
    const pixel = Math.floor(i / channels);
    const ch = i % channels;
    return n + Math.sin((pixel % width) / 5 + phase[ch]!) * Math.cos(Math.floor(pixel / width) / 7 + phase[ch]!);
  });
}

const CASES: readonly [number, number, number][] = [
  // height, width, input channels
  [16, 16, 3],
  [32, 32, 3],
  [24, 40, 1],
  [33, 19, 5],
  [64, 64, 3],
];

describe('ROAD imputation against the exact solve', () => {
  it.each(CASES)('%ix%i Cin=%i: CAM-like and random maps, MoRF and LeRF at percentiles 10 to 90', async (height, width, channels) => {
    const kinds: MapKind[] = ['blobs', 'blocks', 'ramp', 'iid'];
    const batch = kinds.length;
    const rng = makeRng(1300 + height * 7 + width + channels);
    const pixels = height * width;
    const input = new Float32Array(batch * pixels * channels);
    const maps = new Float32Array(batch * pixels);
    kinds.forEach((kind, b) => {
      input.set(makeImage(rng, height, width, channels), b * pixels * channels);
      maps.set(makeMap(kind, rng, height, width), b * pixels);
    });
    const percentiles = [10, 30, 50, 70, 90];
    await withGpuErrorScopes(gpu.device, async () => {
      const session = new FaithfulnessSession(gpu.engine, { input: { data: input, shape: [batch, height, width, channels] }, maps: { data: maps, shape: [batch, height, width] }, targets: 0, classes: 2, percentiles, noise: 0, steps: 1 });
      const road = session.plan.segments.find((s) => s.kind === 'road')!;
      const bytes = session.inputBytes(road.count);
      const out = gpu.device.createBuffer({ size: bytes, usage: USAGE });
      gpu.device.queue.writeBuffer(out, 0, new Uint8Array(bytes).fill(0xff)); // NaN until written
      session.writeInputs(road.start, road.count, out);
      const [data] = await readBuffers(gpu.device, gpu.engine.pool, [{ buffer: out, bytes }]);
      const actual = new Float32Array(data!);
      const expected = perturbedInputs(session.plan, input, maps, { batch, height, width, channels }, road.start, road.count);
      session.release();
      out.destroy();
      const size = pixels * channels;
      const errors = Array.from({ length: road.count }, (_, q) => relativeL2(actual.subarray(q * size, (q + 1) * size), expected.subarray(q * size, (q + 1) * size)));
      const worst = (b: number): number => Math.max(...errors.slice(b * 2 * percentiles.length, (b + 1) * 2 * percentiles.length));
      console.log(`road solve ${height}x${width}x${channels}: worst relative L2 ${kinds.map((k, b) => `${k} ${worst(b).toExponential(2)}`).join(', ')}`);
      const failing = errors.map((e, q) => ({ e, q })).filter(({ e }) => !(e <= BOUND));
      expect(failing.map(({ e, q }) => `${kinds[Math.floor(q / (2 * percentiles.length))]} entry ${q}: ${e.toExponential(2)}`)).toEqual([]);
    });
    expect(gpu.engine.poolStats().inUse).toBe(0);
  }, 300_000);
});
