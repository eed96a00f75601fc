// CamEngine.computeMany: every method of the table recorded into one submit, read back with one
// map, gives bit for bit what its own compute call (or session finish) gives.
import { afterEach, describe, expect, it } from 'vitest';
import {
  GpuError,
  InvalidInputError,
  METHOD_NAMES,
  METHODS,
  NonFiniteInputError,
  scorePasses,
  scorePlan,
  type CamOutputs,
  type ComputeOptions,
  type ManyComputeOptions,
  type MethodName,
  type MethodSpec,
  type ScoreCamSession,
  type ScoreMethodName,
} from '../src/index.js';
import { CamEngine } from '../src/index.js';
import { CASES, CLASSES, channelGradients, describeCase, plantedActivations, type TestCase } from './cases.js';
import { makeRng, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

const SCORE_SESSIONS: readonly ScoreMethodName[] = ['scorecam', 'fasterscorecam', 'sscam', 'iscam', 'ablationcam'];

/** Counts queue submits and buffer maps on the test's device while `body` runs (and what it awaits). */
async function counted<T>(body: () => Promise<T>): Promise<{ value: T; submits: number; maps: number }> {
  const queue = gpu.device.queue;
  const submit = queue.submit.bind(queue);
  const proto = Object.getPrototypeOf(gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })) as GPUBuffer;
  const mapAsync = proto.mapAsync;
  const counts = { submits: 0, maps: 0 };
  Object.defineProperty(queue, 'submit', { configurable: true, value: (commands: Iterable<GPUCommandBuffer>) => (counts.submits++, submit(commands)) });
  proto.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    counts.maps++;
    return mapAsync.apply(this, args);
  };
  try {
    const value = await body();
    return { value, ...counts };
  } finally {
    delete (queue as unknown as Record<string, unknown>)['submit'];
    proto.mapAsync = mapAsync;
  }
}

/** The bits of a read: heatmap floats as u32 (so NaN and −0 compare exactly) and overlay bytes. */
function bits(out: CamOutputs): { heatmap: Uint32Array | null; overlay: Uint8Array | null } {
  return { heatmap: out.heatmap ? new Uint32Array(out.heatmap.buffer, out.heatmap.byteOffset, out.heatmap.length) : null, overlay: out.overlay };
}

/** Shared seeded inputs of one case: A (with a dominant component, for Eigen-CAM), G for K targets, the noisy copies' G, a dense kernel, targets, an overlay image. */
function sharedInputs(c: TestCase, seed: number) {
  const rng = makeRng(seed);
  const featureShape = [c.batch, c.height, c.width, c.channels];
  const activations = { data: plantedActivations(rng, c, false), shape: featureShape };
  const gradShape = (lead: number): number[] => (c.targets === 1 ? [lead, c.height, c.width, c.channels] : [lead, c.targets, c.height, c.width, c.channels]);
  const gradients = { data: channelGradients(rng, c), shape: gradShape(c.batch) };
  const samples = METHODS.smoothgradcampp.noisySamples!.numSamples;
  const noisy = { data: randomFloats(rng, samples * c.batch * c.targets * c.height * c.width * c.channels, -1, 1), shape: gradShape(samples * c.batch) };
  const denseKernel = { data: randomFloats(rng, c.channels * CLASSES, -1, 1), shape: [c.channels, CLASSES] };
  const targets = Array.from({ length: c.batch }, () => Array.from({ length: c.targets }, () => Math.floor(rng() * CLASSES)));
  const image = { data: Uint8Array.from(randomFloats(rng, c.batch * 19 * 23 * 4, 0, 256), Math.floor), width: 23, height: 19 };
  const scores = (method: MethodName) => {
    const passes = scorePasses(scorePlan(method), c.batch, c.channels);
    return {
      scores: { data: randomFloats(rng, passes * CLASSES, -4, 4), shape: [passes, CLASSES] },
      inputSize: { height: 2 * c.height + 3, width: 3 * c.width + 1 },
      baseline: { data: randomFloats(rng, c.batch * CLASSES, -4, 4), shape: [c.batch, CLASSES] },
    };
  };
  const specs = METHOD_NAMES.map((method): MethodSpec => {
    const info = METHODS[method];
    if (info.needs === 'scores') return { method, scoreCam: scores(method) };
    if (info.noisySamples) return { method, gradients: noisy };
    // Eigen smoothing where the row takes it, on every other method that can, so both paths are covered.
    const smooth = info.options.some((o) => o.name === 'eigenSmooth') && METHOD_NAMES.indexOf(method) % 2 === 0;
    return smooth ? { method, eigenSmooth: true } : { method };
  });
  const outputs = { ...(c.size ? { size: c.size } : {}), overlay: { image, colormap: 'turbo' as const, alpha: 0.4 } };
  return { activations, gradients, denseKernel, targets, specs, outputs };
}

/** The same request as its own compute call. */
function alone(shared: ReturnType<typeof sharedInputs>, spec: MethodSpec): ComputeOptions {
  return {
    method: spec.method,
    activations: shared.activations,
    gradients: spec.gradients ?? shared.gradients,
    denseKernel: shared.denseKernel,
    targets: shared.targets,
    ...(spec.scoreCam ? { scoreCam: spec.scoreCam } : {}),
    ...(spec.eigenSmooth ? { eigenSmooth: true } : {}),
    ...shared.outputs,
  };
}

/** A session of `method` on seeded A and input, every pass scored with seeded logits; the same seed gives the same session. */
function scoredSession(engine: CamEngine, method: ScoreMethodName, seed: number): ScoreCamSession {
  const rng = makeRng(seed);
  const [batch, h, w, C] = [2, 5, 4, 12];
  const session = engine.scoreCam({
    method,
    activations: { data: randomFloats(rng, batch * h * w * C, 0, 1), shape: [batch, h, w, C] },
    input: { data: randomFloats(rng, batch * 11 * 9 * 3, -1, 1), shape: [batch, 11, 9, 3] },
    baseline: { data: randomFloats(rng, batch * CLASSES, -3, 3), shape: [batch, CLASSES] },
    targets: [[1, 4], [7, 0]],
    classes: CLASSES,
  });
  session.addScores(0, session.passes, { data: randomFloats(rng, session.passes * CLASSES, -3, 3), shape: [session.passes, CLASSES] });
  return session;
}

afterEach(() => {
  expect(gpu.engine.poolStats().inUse, 'buffers still handed out').toBe(0);
});

describe('computeMany: every method in one submit, bit for bit its own call', () => {
  it.each([CASES[5]!, CASES[7]!, CASES[12]!, CASES[0]!].map((c, i) => [describeCase(c), c, 500 + i] as const))('%s', async (_name, c, seed) => {
    const shared = sharedInputs(c, seed);
    await withGpuErrorScopes(gpu.device, async () => {
      const separate = await counted(async () => {
        const outs: CamOutputs[] = [];
        for (const spec of shared.specs) {
          const result = gpu.engine.compute(alone(shared, spec));
          outs.push(await result.read());
          result.release();
        }
        return outs;
      });
      const request: ManyComputeOptions = { methods: shared.specs, activations: shared.activations, gradients: shared.gradients, denseKernel: shared.denseKernel, targets: shared.targets, ...shared.outputs };
      const many = await counted(async () => {
        const results = gpu.engine.computeMany(request);
        try {
          return await results.read();
        } finally {
          results.release();
        }
      });
      expect(many.value.length).toBe(METHOD_NAMES.length);
      METHOD_NAMES.forEach((method, i) => {
        const got = bits(many.value[i]!);
        const want = bits(separate.value[i]!);
        expect(got.heatmap, `${method} heatmap`).toEqual(want.heatmap);
        expect(got.overlay, `${method} overlay`).toEqual(want.overlay);
        expect(got.heatmap!.length, `${method} heatmap length`).toBeGreaterThan(0);
      });
      // Separate calls: a submit per compute and one submit and one map per read.
      expect(separate.submits).toBe(2 * METHOD_NAMES.length);
      expect(separate.maps).toBe(METHOD_NAMES.length);
      expect({ submits: many.submits, maps: many.maps }).toEqual({ submits: 1, maps: 1 });
    });
  });

  it('finishes Score-CAM-family sessions into the same submit, bit for bit their own finish', async () => {
    const c = CASES[12]!;
    const shared = sharedInputs(c, 600);
    const outputs = { size: { height: 13, width: 8 }, overlay: { size: { height: 6, width: 10 } } };
    await withGpuErrorScopes(gpu.device, async () => {
      const want: CamOutputs[] = [];
      for (const [i, method] of SCORE_SESSIONS.entries()) {
        const result = scoredSession(gpu.engine, method, 700 + i).finish(outputs);
        want.push(await result.read());
        result.release();
      }
      const sessions = SCORE_SESSIONS.map((method, i) => scoredSession(gpu.engine, method, 700 + i));
      const many = await counted(async () => {
        // Sessions interleaved with methods on other activations: each session keeps its own.
        const results = gpu.engine.computeMany({ methods: ['gradcam', ...sessions, 'eigencam'], activations: shared.activations, gradients: shared.gradients, ...outputs });
        try {
          return await results.read();
        } finally {
          results.release();
        }
      });
      expect({ submits: many.submits, maps: many.maps }).toEqual({ submits: 1, maps: 1 });
      SCORE_SESSIONS.forEach((method, i) => {
        expect(bits(many.value[i + 1]!), method).toEqual(bits(want[i]!));
      });
      // Finished: a session is closed once its part was recorded.
      expect(() => sessions[0]!.finish()).toThrow(/finished or released/);
    });
  });

  it('each result reads on its own too, and a second group read copies again', async () => {
    const shared = sharedInputs(CASES[5]!, 800);
    const results = gpu.engine.computeMany({ methods: ['gradcam', 'layercam'], activations: shared.activations, gradients: shared.gradients, ...shared.outputs });
    try {
      const alone = await results.results[1]!.read();
      const first = await results.read();
      const second = await counted(() => results.read());
      expect(bits(first[1]!)).toEqual(bits(alone));
      expect(second.value.map(bits)).toEqual(first.map(bits));
      expect({ submits: second.submits, maps: second.maps }).toEqual({ submits: 1, maps: 1 });
    } finally {
      results.release();
    }
    await expect(results.read()).rejects.toThrow(/released/);
  });

  it('readback: false stages nothing; readAll reads two groups with one submit and one map', async () => {
    const shared = sharedInputs(CASES[7]!, 850);
    const common = { activations: shared.activations, gradients: shared.gradients, ...shared.outputs, readback: false };
    const want = await counted(async () => {
      const results = gpu.engine.computeMany({ ...common, methods: ['gradcam', 'eigencam', 'gradcam++', 'layercam'], readback: true });
      try {
        return await results.read();
      } finally {
        results.release();
      }
    });
    const early = gpu.engine.computeMany({ ...common, methods: ['gradcam', 'eigencam'] });
    const late = gpu.engine.computeMany({ ...common, methods: ['gradcam++', 'layercam'] });
    try {
      const got = await counted(() => gpu.engine.readAll([...early.results, ...late.results]));
      expect(got.value.map(bits)).toEqual(want.value.map(bits));
      expect({ submits: got.submits, maps: got.maps }).toEqual({ submits: 1, maps: 1 });
      expect({ submits: want.submits, maps: want.maps }).toEqual({ submits: 1, maps: 1 });
    } finally {
      early.release();
      late.release();
    }
  });
});

describe('computeMany: refusals and failures', () => {
  const shared = sharedInputs(CASES[12]!, 900);
  const base = { activations: shared.activations, gradients: shared.gradients };

  it('refuses an empty or unknown method list with nothing acquired', () => {
    expect(() => gpu.engine.computeMany({ ...base, methods: [] })).toThrow(InvalidInputError);
    expect(() => gpu.engine.computeMany({ ...base, methods: ['gradcam', 'gradcamx' as MethodName] })).toThrow(/unknown method 'gradcamx'/);
    // A method without what it needs fails the whole call before anything is recorded.
    expect(() => gpu.engine.computeMany({ activations: shared.activations, methods: ['eigencam', 'gradcam'] })).toThrow(/needs gradients/);
    expect(() => gpu.engine.computeMany({ ...base, methods: ['gradcam', 'cam'] })).toThrow(InvalidInputError);
  });

  it('refuses a session of another engine, or the same session twice, and leaves the sessions open', async () => {
    const other = new CamEngine(gpu.device);
    const foreign = scoredSession(other, 'scorecam', 901);
    const mine = scoredSession(gpu.engine, 'scorecam', 902);
    try {
      expect(() => gpu.engine.computeMany({ ...base, methods: ['gradcam', foreign] })).toThrow(/another CamEngine/);
      expect(() => gpu.engine.computeMany({ ...base, methods: [mine, 'gradcam', mine] })).toThrow(/twice/);
      const result = mine.finish({});
      await result.read();
      result.release();
    } finally {
      foreign.release();
      mine.release();
      other.destroy();
    }
  });

  it('a NaN input of one method fails the group read with NonFiniteInputError; a GPU error with GpuError', async () => {
    const nanScores = { ...shared.specs.find((s) => s.method === 'scorecam')!.scoreCam! };
    const poisoned = new Float32Array(nanScores.scores.data as Float32Array);
    poisoned[3] = Number.NaN;
    const results = gpu.engine.computeMany({ ...base, targets: shared.targets, methods: ['gradcam', { method: 'scorecam', scoreCam: { ...nanScores, scores: { data: poisoned, shape: nanScores.scores.shape } } }] });
    await expect(results.read()).rejects.toBeInstanceOf(NonFiniteInputError);
    await results.results[0]!.read(); // the other method's own read is unaffected
    results.release();

    const broken = gpu.device.createBuffer({ size: shared.activations.data.byteLength, usage: GPUBufferUsage.STORAGE, label: 'destroyed activations' });
    broken.destroy();
    const failing = gpu.engine.computeMany({ ...base, activations: { data: broken, shape: shared.activations.shape }, methods: ['gradcam', 'hirescam'] });
    await expect(failing.read()).rejects.toBeInstanceOf(GpuError);
    failing.release();
  });
});
