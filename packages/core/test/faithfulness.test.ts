// Faithfulness metrics on the GPU against their float64 references: the perturbed inputs
// every kernel writes, the target scores, and whole metrics through a session driven by
// a linear stand-in model (as the TF.js loop drives it).
import { describe, expect, it } from 'vitest';
import { FaithfulnessSession, InvalidInputError, ShapeError, planFaithfulness, resolveFaithfulnessOptions } from '../src/index.js';
import { readBuffers } from '../src/gpu/readback.js';
import { metricScores, perturbedInputs, referenceFaithfulness, relativeL2, type MetricInputDims } from '../src/reference/index.js';
import { expectClose, makeRng, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();
const USAGE = 0x0080 | 0x0004 | 0x0008; // STORAGE | COPY_SRC | COPY_DST

/** Maps with the cases the kernels must handle: random, quantised (many ties), constant, zero. */
function testMaps(rng: () => number, batch: number, pixels: number): Float32Array {
  const maps = randomFloats(rng, batch * pixels, 0, 1);
  for (let b = 0; b < batch; b++) {
    const kind = b % 4;
    for (let i = 0; i < pixels; i++) {
      const at = b * pixels + i;
      if (kind === 1) maps[at] = Math.floor(maps[at]! * 4) / 4;
      if (kind === 2) maps[at] = 0.375;
      if (kind === 3) maps[at] = 0;
    }
  }
  return maps;
}

function linearModel(weights: Float32Array, classes: number, length: number) {
  return (inputs: ArrayLike<number>, count: number): Float64Array =>
    Float64Array.from({ length: count * classes }, (_, at) => {
      const j = Math.floor(at / classes);
      const k = at % classes;
      let sum = 0;
      for (let i = 0; i < length; i++) sum += weights[k * length + i]! * inputs[j * length + i]!;
      return sum;
    });
}

async function readFloats(buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
  const [data] = await readBuffers(gpu.device, gpu.engine.pool, [{ buffer, bytes }]);
  return new Float32Array(data!);
}

const SHAPES: readonly [number, number, number, number, number][] = [
  // batch, height, width, input channels, chunk
  [1, 1, 1, 1, 3],
  [1, 7, 7, 3, 16],
  [2, 5, 9, 1, 7],
  [4, 14, 14, 3, 64],
  [1, 17, 23, 2, 50],
  [4, 32, 32, 3, 128],
];

describe('faithfulness perturbations', () => {
  it.each(SHAPES)('B=%i %ix%i Cin=%i (chunks of %i): every perturbed input matches the float64 reference', async (batch, height, width, channels, chunk) => {
    const rng = makeRng(7 + height * 31 + width);
    const dims: MetricInputDims = { batch, height, width, channels };
    const pixels = height * width;
    const input = randomFloats(rng, batch * pixels * channels, -1, 1);
    const maps = testMaps(rng, batch, pixels);
    const options = { steps: 5, percentiles: [10, 35, 50, 90], noise: 0.05, seed: 11, baseline: 0.25 };
    await withGpuErrorScopes(gpu.device, async () => {
      const session = new FaithfulnessSession(gpu.engine, { input: { data: input, shape: [batch, height, width, channels] }, maps: { data: maps, shape: [batch, height, width] }, targets: 0, classes: 2, ...options });
      const out = gpu.device.createBuffer({ size: session.inputBytes(chunk), usage: USAGE });
      const plan = session.plan;
      let worst = 0;
      for (let first = 0; first < plan.entries; first += chunk) {
        const count = Math.min(chunk, plan.entries - first);
        gpu.device.queue.writeBuffer(out, 0, new Uint8Array(session.inputBytes(count)).fill(0xff));
        session.writeInputs(first, count, out);
        const actual = await readFloats(out, session.inputBytes(count));
        const expected = perturbedInputs(plan, input, maps, dims, first, count);
        expectClose(actual, expected, 1e-5, `entries ${first}..${first + count - 1}`);
        worst = Math.max(worst, relativeL2(actual, expected));
      }
      console.log(`faithfulness inputs B=${batch} ${height}x${width}x${channels}: worst chunk relative L2 ${worst.toExponential(2)}`);
      session.release();
      out.destroy();
    });
    expect(gpu.engine.poolStats().inUse).toBe(0);
  }, 120_000);

  it('target scores (probability and logit) match the reference, chunk by chunk', async () => {
    const rng = makeRng(5);
    const [batch, height, width, classes] = [3, 4, 4, 7];
    const input = randomFloats(rng, batch * height * width, 0, 1);
    const maps = randomFloats(rng, batch * height * width, 0, 1);
    const targets = [6, 0, 3];
    for (const score of ['probability', 'logit'] as const) {
      await withGpuErrorScopes(gpu.device, async () => {
        const session = new FaithfulnessSession(gpu.engine, { input: { data: input, shape: [batch, height, width, 1] }, maps: { data: maps, shape: [batch, height, width] }, targets, classes, steps: 3, score });
        const logits = randomFloats(rng, session.entries * classes, -20, 20);
        for (let first = 0; first < session.entries; first += 13) {
          const count = Math.min(13, session.entries - first);
          session.addScores(first, count, { data: logits.slice(first * classes, (first + count) * classes), shape: [count, classes] });
        }
        const actual = await session.readScores();
        session.release();
        expectClose(actual, metricScores(logits, classes, targets, session.plan.entryImages, 0, session.entries, score), 1e-5, `${score} scores`);
      });
    }
  });
});

describe('faithfulness metrics through a session', () => {
  it.each([
    [2, 9, 11, 3],
    [3, 16, 16, 1],
  ])('B=%i %ix%i Cin=%i: deletion, insertion, drop/increase and ROAD equal the float64 pipeline', async (batch, height, width, channels) => {
    const rng = makeRng(99 + height);
    const classes = 4;
    const length = height * width * channels;
    const dims: MetricInputDims = { batch, height, width, channels };
    const input = randomFloats(rng, batch * length, 0, 1);
    const maps = randomFloats(rng, batch * height * width, 0, 1);
    const weights = randomFloats(rng, classes * length, -0.2, 0.2);
    const model = linearModel(weights, classes, length);
    const targets = Array.from({ length: batch }, (_, b) => b % classes);
    const options = { steps: 8, percentiles: [20, 50, 80] };
    const chunk = 10;
    await withGpuErrorScopes(gpu.device, async () => {
      const session = new FaithfulnessSession(gpu.engine, { input: { data: input, shape: [batch, height, width, channels] }, maps: { data: maps, shape: [batch, height, width] }, targets, classes, ...options });
      const out = gpu.device.createBuffer({ size: session.inputBytes(chunk), usage: USAGE });
      for (let first = 0; first < session.entries; first += chunk) {
        const count = Math.min(chunk, session.entries - first);
        session.writeInputs(first, count, out);
        // The stand-in model reads the GPU's inputs, as TF.js would.
        const logits = Float32Array.from(model(await readFloats(out, session.inputBytes(count)), count));
        session.addScores(first, count, { data: logits, shape: [count, classes] });
      }
      const actual = await session.finish();
      out.destroy();
      const expected = referenceFaithfulness(model, input, maps, dims, targets, classes, options);
      const flat = (s: typeof actual): number[] =>
        s.flatMap((m) => [m.original, m.deletion.auc, m.insertion.auc, m.multiplied, m.drop, m.road.morfMean, m.road.lerfMean, m.road.combined, ...m.deletion.curve, ...m.insertion.curve]);
      expectClose(flat(actual), flat(expected), 1e-5, 'metrics');
      expect(actual.map((m) => m.increase)).toEqual(expected.map((m) => m.increase));
    });
  }, 120_000);

  it('a constant map: deletion AUC = insertion AUC and ROAD MoRF = LeRF, so combined is 0', async () => {
    const rng = makeRng(4);
    const [height, width, channels, classes] = [12, 12, 3, 3];
    const length = height * width * channels;
    const input = randomFloats(rng, length, 0, 1);
    const model = linearModel(randomFloats(rng, classes * length, -0.3, 0.3), classes, length);
    await withGpuErrorScopes(gpu.device, async () => {
      const session = new FaithfulnessSession(gpu.engine, { input: { data: input, shape: [1, height, width, channels] }, maps: { data: new Float32Array(height * width).fill(0.6), shape: [1, height, width] }, targets: 1, classes });
      const out = gpu.device.createBuffer({ size: session.inputBytes(session.entries), usage: USAGE });
      session.writeInputs(0, session.entries, out);
      const logits = Float32Array.from(model(await readFloats(out, session.inputBytes(session.entries)), session.entries));
      session.addScores(0, session.entries, { data: logits, shape: [session.entries, classes] });
      const [scores] = await session.finish();
      out.destroy();
      // Fading the image by f (deletion) and by 1 − f (insertion) visits the same inputs in reverse.
      expect(Math.abs(scores!.deletion.auc - scores!.insertion.auc)).toBeLessThan(1e-6);
      expect(scores!.road.morf).toEqual(scores!.road.lerf);
      expect(scores!.road.combined).toBe(0);
    });
  });

  it('bad maps, targets and chunks are typed errors that say what to fix', () => {
    const input = { data: new Float32Array(2 * 4 * 4 * 3), shape: [2, 4, 4, 3] };
    const maps = (data: Float32Array, shape = [2, 4, 4]) => ({ data, shape });
    const make = (options: Partial<ConstructorParameters<typeof FaithfulnessSession>[1]>) =>
      new FaithfulnessSession(gpu.engine, { input, maps: maps(new Float32Array(32)), targets: 0, classes: 3, ...options });
    expect(() => make({ maps: maps(new Float32Array(32).fill(1.5)) })).toThrow(/must lie in \[0, 1\].*normalise/);
    expect(() => make({ maps: maps(new Float32Array(32).fill(Number.NaN)) })).toThrow(InvalidInputError);
    expect(() => make({ maps: maps(new Float32Array(16), [1, 4, 4]) })).toThrow(ShapeError);
    expect(() => make({ targets: 3 })).toThrow(/out of range/);
    expect(() => make({ steps: 0 })).toThrow(/steps must be an integer/);
    expect(() => make({ percentiles: [0, 50] })).toThrow(/strictly between 0 and 100/);
    const session = make({});
    expect(() => make({ maps: maps(new Float32Array(32).fill(-0.5)) })).toThrow(InvalidInputError);
    const buffer = gpu.device.createBuffer({ size: 16, usage: USAGE });
    expect(() => session.writeInputs(0, 1, buffer)).toThrow(/holds 16 bytes/);
    expect(() => session.writeInputs(session.entries - 1, 2, buffer)).toThrow(/outside/);
    session.release();
    buffer.destroy();
    expect(() => session.writeInputs(0, 1, buffer)).toThrow(/finished or released/);
  });

  it('plans every entry once, in kind order', () => {
    const plan = planFaithfulness(3, resolveFaithfulnessOptions({ steps: 4, percentiles: [25, 75] }));
    expect(plan.segments.map((s) => [s.kind, s.count])).toEqual([['multiply', 3], ['deletion', 15], ['insertion', 15], ['road', 12]]);
    expect(plan.entries).toBe(45);
    expect(Array.from(plan.entryImages.slice(3, 9))).toEqual([0, 0, 0, 0, 0, 1]);
  });
});
