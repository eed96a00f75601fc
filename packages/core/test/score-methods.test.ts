// The Score-CAM family beyond the defaults: every Score-CAM variant and Faster Score-CAM's
// options over the shape table, and sessions driven as the TF.js loop drives them (masks,
// ablated activations and seeded noise against the float64 reference).
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { NonFiniteInputError, scorePasses, scorePlan, type ComputeOptions, type ScoreMethodName, type ScoreMethodOptions } from '../src/index.js';
import { readBuffers } from '../src/gpu/readback.js';
import { ablationInputs, channelSelection, referenceHeatmaps, relativeL2, scoreFamilyMasks, scoreRanges } from '../src/reference/index.js';
import { CASES, CLASSES, describeCase, makeInputs } from './cases.js';
import { expectClose, makeRng, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

const worst = new Map<string, number>();
afterAll(() => {
  if (worst.size > 0) console.log(`worst heatmap relative L2 vs float64 over the shape table:\n${[...worst].map(([m, e]) => `  ${m.padEnd(36)} ${e.toExponential(2)}`).join('\n')}`);
});

/** makeInputs for a score method with non-default options: as many logit rows as those options run. */
function inputsWith(method: ScoreMethodName, options: ScoreMethodOptions, index: number): ComputeOptions {
  const testCase = CASES[index]!;
  const base = makeInputs(method, testCase, 3000 + index);
  const rng = makeRng(4000 + index);
  const passes = scorePasses(scorePlan(method, options), testCase.batch, testCase.channels);
  return { ...base, scoreCam: { ...base.scoreCam!, ...options, scores: { data: randomFloats(rng, passes * CLASSES, -4, 4), shape: [passes, CLASSES] } } };
}

const VARIANTS: [string, ScoreMethodName, ScoreMethodOptions][] = [
  ['scorecam channel-softmax', 'scorecam', { variant: 'channel-softmax' }],
  ['scorecam baseline', 'scorecam', { variant: 'baseline' }],
  ['fasterscorecam maxChannels 3', 'fasterscorecam', { maxChannels: 3 }],
  ['fasterscorecam channel-softmax', 'fasterscorecam', { variant: 'channel-softmax', maxChannels: 5 }],
  ['sscam numSamples 2', 'sscam', { numSamples: 2, std: 0.5 }],
  ['iscam numSamples 3', 'iscam', { numSamples: 3 }],
];

describe.each(VARIANTS)('%s heatmaps match the float64 reference', (name, method, options) => {
  it.each(CASES.map((c, i) => [describeCase(c), i] as const))('%s', async (_case, index) => {
    const inputs = inputsWith(method, options, index);
    const expected = referenceHeatmaps(inputs);
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(inputs);
      const heatmap = await result.readHeatmap();
      result.release();
      worst.set(name, Math.max(worst.get(name) ?? 0, relativeL2(heatmap, expected.heatmap)));
      expectClose(heatmap, expected.heatmap, 1e-5, `${name} ${describeCase(CASES[index]!)}`);
    });
  });
});

describe('the variants differ where their conventions differ', () => {
  it('channel-softmax gives a constant channel the softmax weight of its zero-mask score; probability gives it 0', () => {
    const A = Float32Array.from([1, 5, 2, 5, 3, 5, 4, 5]); // channel 1 is constant
    const logits = Float32Array.from([0, 1, 2, 3]); // classes 2: pass 0 → [0, 1], pass 1 → [2, 3]
    const run = (variant: 'probability' | 'channel-softmax'): Float64Array =>
      referenceHeatmaps({ method: 'scorecam', activations: { data: A, shape: [1, 2, 2, 2] }, scoreCam: { scores: { data: logits, shape: [2, 2] }, inputSize: { height: 4, width: 4 }, variant }, targets: [1] }).weights!;
    expect(run('probability')[1]).toBe(0);
    // softmax over channels of the target logits 1 and 3.
    expect(run('channel-softmax')[1]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(3)), 12);
  });
});

type SessionCase = [string, ScoreMethodName, ScoreMethodOptions];
const SESSIONS: SessionCase[] = [
  ['scorecam probability', 'scorecam', {}],
  ['scorecam channel-softmax', 'scorecam', { variant: 'channel-softmax' }],
  ['scorecam baseline', 'scorecam', { variant: 'baseline' }],
  ['fasterscorecam', 'fasterscorecam', { maxChannels: 4 }],
  ['sscam', 'sscam', { numSamples: 3, std: 0.7, seed: 11 }],
  ['iscam', 'iscam', { numSamples: 3 }],
  ['ablationcam', 'ablationcam', {}],
];

describe('sessions: masks, ablated activations and scores as the TF.js loop drives them', () => {
  it.each(SESSIONS)('%s: chunked passes give the reference masks and heatmap', async (_name, method, options) => {
    const rng = makeRng(57);
    const batch = 2;
    const [h, w, C] = [5, 4, 9];
    const model = { height: 11, width: 7, channels: 3 };
    const classes = 4;
    const A = randomFloats(rng, batch * h * w * C, 0, 1);
    // Channel 2 constant: the variants treat it differently (weight 0, or a zero mask that is scored).
    for (let i = 2; i < A.length; i += C) A[i] = 0.3;
    const input = randomFloats(rng, batch * model.height * model.width * 3, -1, 1);
    const baseline = randomFloats(rng, batch * classes, -2, 2);
    const plan = scorePlan(method, options);
    const feedLength = plan.feeds === 'input' ? model.height * model.width * 3 : h * w * C;
    const modelWeights = randomFloats(rng, classes * feedLength, -0.05, 0.05);
    const logitsOf = (fed: ArrayLike<number>, j: number): number[] =>
      Array.from({ length: classes }, (_, k) => {
        let sum = 0;
        for (let i = 0; i < feedLength; i++) sum += modelWeights[k * feedLength + i]! * fed[j * feedLength + i]!;
        return sum;
      });
    const targets = [1, 3];
    const dims = { batch, height: h, width: w, channels: C, targets: 1 };
    const ranges = scoreRanges(A, dims, plan, model);
    const selection = channelSelection(A, dims, plan);
    const chunk = 5;

    await withGpuErrorScopes(gpu.device, async () => {
      const session = gpu.engine.scoreCam({
        ...options,
        method,
        activations: { data: A, shape: [batch, h, w, C] },
        input: { data: input, shape: [batch, model.height, model.width, 3] },
        baseline: { data: baseline, shape: [batch, classes] },
        targets,
        classes,
      });
      expect(session.passes).toBe(scorePasses(plan, batch, C));
      const buffer = gpu.device.createBuffer({ size: session.maskBytes(chunk), usage: 0x0080 | 0x0004 });
      const allLogits = new Float32Array(session.passes * classes);
      // A failed comparison must not leave this session's buffers to the next test.
      onTestFailed(() => {
        session.release();
        buffer.destroy();
      });
      for (let first = 0; first < session.passes; first += chunk) {
        const count = Math.min(chunk, session.passes - first);
        session.writeMasks(first, count, buffer);
        const [bytes] = await readBuffers(gpu.device, gpu.engine.pool, [{ buffer, bytes: session.maskBytes(count) }]);
        const fed = new Float32Array(bytes!);
        const expectedFed = plan.feeds === 'input' ? scoreFamilyMasks(A, ranges, selection, input, dims, model, plan, first, count) : ablationInputs(A, dims, first, count);
        expectClose(fed, expectedFed, 1e-5, `passes ${first}..${first + count - 1}`);
        const logits = new Float32Array(count * classes);
        for (let j = 0; j < count; j++) logits.set(logitsOf(fed, j), j * classes);
        allLogits.set(logits, first * classes);
        session.addScores(first, count, { data: logits, shape: [count, classes] });
      }
      const size = { height: 12, width: 10 };
      const result = session.finish({ size });
      const heatmap = await result.readHeatmap();
      result.release();
      buffer.destroy();
      const expected = referenceHeatmaps({
        method,
        activations: { data: A, shape: [batch, h, w, C] },
        scoreCam: { ...options, scores: { data: allLogits, shape: [session.passes, classes] }, inputSize: model, baseline: { data: baseline, shape: [batch, classes] } },
        targets,
        size,
      });
      expectClose(heatmap, expected.heatmap, 1e-5, 'session heatmap');
    });
    expect(gpu.engine.poolStats().inUse).toBe(0);
  });

  it('SS-CAM noise is reproducible by seed and differs between seeds', async () => {
    const rng = makeRng(8);
    const A = randomFloats(rng, 1 * 3 * 3 * 4, 0, 1);
    const input = randomFloats(rng, 8 * 8 * 3, 0, 1);
    const masks = async (seed: number): Promise<Float32Array> => {
      const session = gpu.engine.scoreCam({ method: 'sscam', numSamples: 2, seed, activations: { data: A, shape: [1, 3, 3, 4] }, input: { data: input, shape: [1, 8, 8, 3] }, baseline: { data: new Float32Array(5), shape: [1, 5] }, targets: 0, classes: 5 });
      const buffer = gpu.device.createBuffer({ size: session.maskBytes(session.passes), usage: 0x0080 | 0x0004 });
      session.writeMasks(0, session.passes, buffer);
      const [bytes] = await readBuffers(gpu.device, gpu.engine.pool, [{ buffer, bytes: session.maskBytes(session.passes) }]);
      session.release();
      buffer.destroy();
      return new Float32Array(bytes!);
    };
    const first = await masks(5);
    expect(Array.from(await masks(5))).toEqual(Array.from(first));
    expect(relativeL2(await masks(6), first)).toBeGreaterThan(0.1);
  });

  it('non-finite baseline logits raise a typed error naming the scores', async () => {
    const testCase = CASES[5]!;
    const inputs = makeInputs('ablationcam', testCase, 9);
    // Image 0's whole row, so that its target class reads a NaN whatever it is.
    const baseline = { ...inputs.scoreCam!.baseline!, data: (inputs.scoreCam!.baseline!.data as Float32Array).map((v, i) => (i < CLASSES ? Number.NaN : v)) };
    const result = gpu.engine.compute({ ...inputs, scoreCam: { ...inputs.scoreCam!, baseline } });
    const error = await result.readHeatmap().catch((e: unknown) => e);
    result.release();
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain('weights or scores');
  });
});
