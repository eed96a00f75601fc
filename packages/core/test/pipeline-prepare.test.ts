// Kernels compiled ahead, off the JavaScript thread (preparePipeline, and through it
// FaithfulnessSession.inputsReady): once ready, the calls that use them compile nothing,
// one background compile serves every request for it, its pipeline gives the reference's
// answer, and a kernel whose background compile fails is still reported, typed, by the
// call that uses it. Each test takes a fresh device, since pipelines are cached per device.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KERNELS } from '@wgcam/shaders';
import { createNodeDevice, type NodeDevice } from '@wgcam/node-adapter';
import { CamEngine, FaithfulnessSession, GpuError, InvalidInputError } from '../src/index.js';
import { BufferUsage } from '../src/gpu/flags.js';
import { getPipeline, pipelineCount, preparePipeline } from '../src/gpu/pipeline-cache.js';
import { readBuffers } from '../src/gpu/readback.js';
import { perturbedInputs, relativeL2 } from '../src/reference/index.js';
import { makeRng, randomFloats } from './gpu-fixture.js';

let node: NodeDevice;
let engine: CamEngine;
let uncaptured: string[];
const onUncaptured = (event: Event): void => {
  event.preventDefault();
  uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
};
beforeEach(async () => {
  node = await createNodeDevice();
  engine = new CamEngine(node.device, { poisonOutputs: true });
  uncaptured = [];
  node.device.addEventListener('uncapturederror', onUncaptured);
});
afterEach(() => {
  node.device.removeEventListener('uncapturederror', onUncaptured);
  engine.destroy();
  node.destroy();
});

function session(height: number, width: number, channels: number, seed: number): { session: FaithfulnessSession; input: Float32Array; maps: Float32Array } {
  const rng = makeRng(seed);
  const input = randomFloats(rng, height * width * channels, -1, 1);
  const maps = randomFloats(rng, height * width, 0, 1);
  const made = new FaithfulnessSession(engine, {
    input: { data: input, shape: [1, height, width, channels] },
    maps: { data: maps, shape: [1, height, width] },
    targets: 0,
    classes: 3,
    steps: 4,
    percentiles: [20, 60],
  });
  return { session: made, input, maps };
}

describe('preparePipeline', () => {
  it('compiles once in the background; getPipeline then finds it and compiles nothing', async () => {
    const device = node.device;
    const before = pipelineCount(device);
    const first = preparePipeline(device, 'road_impute', { LANES: 16 });
    const second = preparePipeline(device, 'road_impute', { LANES: 16 });
    expect(second, 'a request while compiling shares the compile').toBe(first);
    await first;
    expect(pipelineCount(device)).toBe(before + 1);
    const cached = getPipeline(device, 'road_impute', { LANES: 16 });
    expect(pipelineCount(device), 'getPipeline after the background compile').toBe(before + 1);
    expect(await cached.problem).toBeNull();
    await preparePipeline(device, 'road_impute', { LANES: 16 });
    expect(getPipeline(device, 'road_impute', { LANES: 16 }), 'a prepared key stays one pipeline').toBe(cached);
    expect(pipelineCount(device)).toBe(before + 1);
    expect(uncaptured).toEqual([]);
  });

  it('rejects an override constant the kernel does not have, synchronously', () => {
    expect(() => preparePipeline(node.device, 'cam_multiply', { LANES: 16 })).toThrow(/no override constant/);
  });
});

describe('FaithfulnessSession.inputsReady', () => {
  it('after it resolves, writing every kind of input compiles nothing and matches the float64 reference', async () => {
    const [height, width, channels] = [12, 10, 3];
    const { session: s, input, maps } = session(height, width, channels, 11);
    await s.inputsReady(0, s.entries);
    const pipelines = pipelineCount(node.device);
    const out = node.device.createBuffer({ size: s.inputBytes(s.entries), usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC });
    s.writeInputs(0, s.entries, out);
    expect(pipelineCount(node.device), 'writeInputs compiled a pipeline the session had not prepared').toBe(pipelines);
    const [bytes] = await readBuffers(node.device, engine.pool, [{ buffer: out, bytes: s.inputBytes(s.entries) }]);
    const actual = new Float32Array(bytes!);
    const expected = perturbedInputs(s.plan, input, maps, { batch: 1, height, width, channels }, 0, s.entries);
    const per = height * width * channels;
    for (let q = 0; q < s.entries; q++) {
      expect(relativeL2(actual.subarray(q * per, (q + 1) * per), expected.subarray(q * per, (q + 1) * per)), `entry ${q}`).toBeLessThan(1e-5);
    }
    out.destroy();
    s.release();
    expect(uncaptured).toEqual([]);
  });

  it('rejects a chunk outside the inputs with an InvalidInputError', async () => {
    const { session: s } = session(4, 4, 1, 12);
    await expect(s.inputsReady(0, s.entries + 1)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(s.inputsReady(-1, 2)).rejects.toBeInstanceOf(InvalidInputError);
    s.release();
  });

  it.each(['module', 'pipeline'] as const)('with a broken road_impute (%s), it resolves and the write is reported as a GpuError naming the kernel', async (how) => {
    const info = KERNELS.road_impute as { source: string };
    const original = info.source;
    // As invalid-kernel.test.ts: a reserved word breaks the module, a renamed entry point the pipeline.
    info.source = how === 'module' ? `${original}\nconst target: u32 = 1u;\n` : original.replace(/fn main\s*\(/, 'fn not_main(');
    try {
      const { session: s } = session(6, 5, 2, 13);
      await s.inputsReady(0, s.entries);
      const out = node.device.createBuffer({ size: s.inputBytes(s.entries), usage: BufferUsage.STORAGE });
      s.writeInputs(0, s.entries, out);
      s.addScores(0, s.entries, { data: new Float32Array(s.entries * 3), shape: [s.entries, 3] });
      const error = await s.finish().then(
        () => null,
        (e: unknown) => e,
      );
      out.destroy();
      expect(error).toBeInstanceOf(GpuError);
      expect((error as GpuError).message).toContain('kernel road_impute');
      expect(engine.poolStats().inUse).toBe(0);
      expect(uncaptured, 'the failed background compile raised nothing uncaptured').toEqual([]);
    } finally {
      info.source = original;
    }
  });
});
