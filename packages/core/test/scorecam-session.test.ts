// A Score-CAM session driven as the TF.js loop drives it, with a linear stand-in model.
import { describe, expect, it } from 'vitest';
import { InvalidInputError, type ScoreCamVariant } from '../src/index.js';
import { readBuffers } from '../src/gpu/readback.js';
import { scorePlan } from '../src/index.js';
import { channelSelection, referenceHeatmaps, scoreFamilyMasks, scoreRanges } from '../src/reference/index.js';
import { expectClose, makeRng, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

describe('ScoreCamSession', () => {
  it.each([
    ['probability', 2, 7, 5, 16, 5],
    ['channel-softmax', 1, 4, 6, 9, 4],
  ] as const)('%s: chunked masks and scores give the reference heatmap (B=%i)', async (variant: ScoreCamVariant, batch, h, w, C, chunk) => {
    const rng = makeRng(31);
    const model = { height: 12, width: 10, channels: 3 };
    const classes = 4;
    const A = randomFloats(rng, batch * h * w * C, 0, 1);
    const input = randomFloats(rng, batch * model.height * model.width * 3, -1, 1);
    const inputLength = model.height * model.width * 3;
    const modelWeights = randomFloats(rng, classes * inputLength, -0.05, 0.05);
    const logitsOf = (masked: ArrayLike<number>, j: number): number[] =>
      Array.from({ length: classes }, (_, k) => {
        let sum = 0;
        for (let i = 0; i < inputLength; i++) sum += modelWeights[k * inputLength + i]! * masked[j * inputLength + i]!;
        return sum;
      });
    const targets = Array.from({ length: batch }, (_, b) => (b + 1) % classes);
    const dims = { batch, height: h, width: w, channels: C, targets: 1 };

    await withGpuErrorScopes(gpu.device, async () => {
      const session = gpu.engine.scoreCam({ activations: { data: A, shape: [batch, h, w, C] }, input: { data: input, shape: [batch, model.height, model.width, 3] }, targets, classes, variant });
      const masks = gpu.device.createBuffer({ size: session.maskBytes(chunk), usage: 0x0080 | 0x0004 });
      const allLogits = new Float32Array(session.pairs * classes);
      for (let first = 0; first < session.pairs; first += chunk) {
        const count = Math.min(chunk, session.pairs - first);
        session.writeMasks(first, count, masks);
        const [bytes] = await readBuffers(gpu.device, gpu.engine.pool, [{ buffer: masks, bytes: session.maskBytes(count) }]);
        const masked = new Float32Array(bytes!);
        const plan = scorePlan('scorecam', { variant });
        const expectedMasks = scoreFamilyMasks(A, scoreRanges(A, dims, plan, model), channelSelection(A, dims, plan), input, dims, model, plan, first, count);
        expectClose(masked, expectedMasks, 1e-5, `masks ${first}`);
        const logits = new Float32Array(count * classes);
        for (let j = 0; j < count; j++) logits.set(logitsOf(masked, j), j * classes);
        allLogits.set(logits, first * classes);
        session.addScores(first, count, { data: logits, shape: [count, classes] });
      }
      const result = session.finish({ size: { height: 12, width: 10 } });
      const heatmap = await result.readHeatmap();
      result.release();
      masks.destroy();
      const expected = referenceHeatmaps({
        method: 'scorecam',
        activations: { data: A, shape: [batch, h, w, C] },
        scoreCam: { scores: { data: allLogits, shape: [session.pairs, classes] }, inputSize: model, variant },
        targets,
        size: { height: 12, width: 10 },
      });
      expectClose(heatmap, expected.heatmap, 1e-5, 'session heatmap');
    });
    expect(gpu.engine.poolStats().inUse).toBe(0);
  });

  it('refuses to finish with pairs unscored and chunks out of range', () => {
    const rng = makeRng(32);
    const session = gpu.engine.scoreCam({
      activations: { data: randomFloats(rng, 2 * 2 * 4, 0, 1), shape: [1, 2, 2, 4] },
      input: { data: randomFloats(rng, 8 * 8 * 3, 0, 1), shape: [1, 8, 8, 3] },
      targets: 0,
      classes: 3,
    });
    expect(() => session.addScores(3, 2, { data: new Float32Array(6), shape: [2, 3] })).toThrow(/outside the 4/);
    expect(() => session.addScores(0, 2, { data: new Float32Array(8), shape: [2, 4] })).toThrow(/needs \[2, 3\]/);
    session.addScores(0, 2, { data: new Float32Array(6), shape: [2, 3] });
    expect(() => session.finish()).toThrow(InvalidInputError);
    expect(() => session.finish()).toThrow(/pair 2/);
    session.release();
    expect(gpu.engine.poolStats().inUse).toBe(0);
  });
});

describe('writeAndReadMasks', () => {
  it.each(['scorecam', 'ablationcam'] as const)('%s: the masks of writeMasks + readBuffers, bitwise, in one submit and one map', async (method) => {
    const rng = makeRng(41);
    const [batch, h, w, C, classes] = [2, 5, 3, 7, 4];
    const open = () =>
      gpu.engine.scoreCam({
        method,
        activations: { data: A, shape: [batch, h, w, C] },
        input: { data: input, shape: [batch, 9, 8, 3] },
        baseline: { data: randomFloats(makeRng(42), batch * classes, -1, 1), shape: [batch, classes] },
        targets: 1,
        classes,
      });
    const A = randomFloats(rng, batch * h * w * C, -1, 1);
    const input = randomFloats(rng, batch * 9 * 8 * 3, 0, 1);
    await withGpuErrorScopes(gpu.device, async () => {
      const a = open();
      const b = open();
      const [first, count] = [3, 6];
      const out = gpu.device.createBuffer({ size: a.maskBytes(count), usage: 0x0080 | 0x0004 | 0x0008 });
      a.writeMasks(first, count, out);
      const [want] = await readBuffers(gpu.device, gpu.engine.pool, [{ buffer: out, bytes: a.maskBytes(count) }]);
      gpu.device.queue.writeBuffer(out, 0, new Uint8Array(a.maskBytes(count)).fill(0xff));
      const queue = gpu.device.queue;
      const submit = queue.submit.bind(queue);
      let submits = 0;
      Object.defineProperty(queue, 'submit', { configurable: true, value: (c: Iterable<GPUCommandBuffer>) => (submits++, submit(c)) });
      let got: Float32Array;
      try {
        got = await b.writeAndReadMasks(first, count, out);
      } finally {
        delete (queue as unknown as Record<string, unknown>)['submit'];
      }
      expect(submits).toBe(1);
      expect(new Uint32Array(got.buffer, got.byteOffset, got.length)).toEqual(new Uint32Array(want!));
      expect(got.length).toBe(count * (method === 'ablationcam' ? h * w * C : 9 * 8 * 3));
      out.destroy();
      a.release();
      b.release();
    });
    expect(gpu.engine.poolStats().inUse).toBe(0);
  });
});
