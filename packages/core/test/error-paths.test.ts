// Every error path releases exactly what it acquired, once; the first error is the one
// reported; the engine is usable for the next correct call. Each stage is made to fail on
// purpose (recording, buffer acquisition, submit, readback, the engine's own GPU work,
// Score-CAM's chunks and finish) and the pool's counters are checked afterwards.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CamEngine, FaithfulnessSession, GpuError, type ComputeOptions, type FaithfulnessScores } from '../src/index.js';
import { CommandBatch } from '../src/gpu/command-batch.js';
import { BufferUsage } from '../src/gpu/flags.js';
import { readBuffers } from '../src/gpu/readback.js';
import { CASES, makeInputs } from './cases.js';
import { makeRng, randomFloats, useGpu } from './gpu-fixture.js';

const gpu = useGpu();

/** A case with a heatmap and an overlay of different sizes: three outputs to read back. */
function request(seed: number): ComputeOptions {
  const base = makeInputs('gradcam++', CASES[5]!, seed); // 5×9×64, B=4 → 37×13
  const rng = makeRng(seed + 1);
  const image = Uint8Array.from({ length: 20 * 30 * 4 }, () => Math.floor(rng() * 256));
  return { ...base, overlay: { image: { data: image, width: 30, height: 20 }, size: { height: 20, width: 30 }, colormap: 'jet' } };
}

async function outputs(engine: CamEngine, options: ComputeOptions): Promise<{ heatmap: Float32Array; overlay: Uint8Array }> {
  const result = engine.compute(options);
  try {
    const { heatmap, overlay } = await result.read();
    return { heatmap: heatmap!, overlay: overlay! };
  } finally {
    result.release();
  }
}

/** Replaces `target[name]` by a wrapper that throws `error` on its `nth` call (1-based); `calls` counts every call. */
function failOn<T extends object>(target: T, name: keyof T & string, nth: number, error: Error): { calls: () => number; restore: () => void } {
  const original = target[name] as unknown as (...args: unknown[]) => unknown;
  const own = Object.prototype.hasOwnProperty.call(target, name);
  let calls = 0;
  (target as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]): unknown {
    calls += 1;
    if (calls === nth) throw error;
    return original.apply(this, args);
  };
  return {
    calls: () => calls,
    restore: () => {
      if (own) (target as Record<string, unknown>)[name] = original;
      else delete (target as Record<string, unknown>)[name];
    },
  };
}

/** Makes the `nth` call of queue.writeBuffer (1-based) a validation error (a write past the buffer's end) that leaves the buffer unwritten; returns the call count. */
function badWriteOn(device: GPUDevice, nth: number): { calls: () => number; restore: () => void } {
  const queue = device.queue;
  const original = queue.writeBuffer;
  let calls = 0;
  queue.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, ...rest: unknown[]): undefined {
    calls += 1;
    if (calls === nth) return original.call(this, buffer, buffer.size + 256, new Uint8Array(4));
    return (original as (...args: unknown[]) => undefined).call(this, buffer, ...rest);
  } as GPUQueue['writeBuffer'];
  return {
    calls: () => calls,
    restore: () => {
      delete (queue as unknown as Record<string, unknown>)['writeBuffer'];
    },
  };
}

const restores: (() => void)[] = [];
// A fresh engine per test, so a leak in one test cannot fail the next.
let engine: CamEngine;
beforeEach(() => {
  engine = new CamEngine(gpu.device, { poisonOutputs: true });
});
afterEach(() => {
  while (restores.length > 0) restores.pop()!();
  engine.destroy();
});

function inject<T extends object>(target: T, name: keyof T & string, nth: number, error: Error): () => number {
  const handle = failOn(target, name, nth, error);
  restores.push(handle.restore);
  return handle.calls;
}

let expected: { heatmap: Float32Array; overlay: Uint8Array };
beforeAll(async () => {
  expected = await outputs(gpu.engine, request(1));
});

/** The engine holds no buffer in use and still computes the clean result exactly. */
async function expectUsable(engine: CamEngine): Promise<void> {
  expect(engine.poolStats().inUse, 'buffers left in use').toBe(0);
  const again = await outputs(engine, request(1));
  expect(again.heatmap).toEqual(expected.heatmap);
  expect(again.overlay).toEqual(expected.overlay);
  expect(engine.poolStats().inUse).toBe(0);
}

/** Counts the calls of `name` in one clean compute call. */
function callsPerCompute<T extends object>(target: T, name: keyof T & string): number {
  const count = failOn(target, name, 0, new Error('never'));
  try {
    engine.compute(request(1)).release();
  } finally {
    count.restore();
  }
  return count.calls();
}

describe('compute: a failure while recording', () => {
  it('in every kernel of the call releases every buffer once and rethrows that error', async () => {
    const dispatches = callsPerCompute(CommandBatch.prototype, 'run');
    expect(dispatches).toBeGreaterThanOrEqual(3);
    for (let nth = 1; nth <= dispatches; nth++) {
      const injected = new Error(`injected recording failure at dispatch ${nth}`);
      const restore = failOn(CommandBatch.prototype, 'run', nth, injected);
      let thrown: unknown;
      try {
        engine.compute(request(1)).release();
      } catch (error) {
        thrown = error;
      } finally {
        restore.restore();
      }
      expect(thrown, `dispatch ${nth}`).toBe(injected);
      await expectUsable(engine);
    }
  });

  it('in any buffer acquisition (pool exhausted) releases the ones acquired before and rethrows that error', async () => {
    const acquires = callsPerCompute(engine.pool, 'acquire');
    expect(acquires).toBeGreaterThanOrEqual(5);
    for (let nth = 1; nth <= acquires; nth++) {
      const injected = new GpuError(`injected: no memory for buffer ${nth}`);
      const restore = failOn(engine.pool, 'acquire', nth, injected);
      let thrown: unknown;
      try {
        engine.compute(request(1)).release();
      } catch (error) {
        thrown = error;
      } finally {
        restore.restore();
      }
      expect(thrown, `acquire ${nth}`).toBe(injected);
      await expectUsable(engine);
    }
  });

  it('at submit releases every buffer once and rethrows that error', async () => {
    const injected = new Error('injected submit failure');
    inject(gpu.device.queue, 'submit', 1, injected);
    expect(() => engine.compute(request(1))).toThrow(injected);
    restores.pop()!();
    await expectUsable(engine);
  });
});

describe('readback', () => {
  it('a failed map rejects with that error and returns no mapped or pending buffer to the pool', async () => {
    const injected = new Error('injected map failure');
    const pool = engine.pool;
    const releasedWhile: string[] = [];
    const originalRelease = pool.release.bind(pool);
    let first = true;
    const originalAcquire = pool.acquire.bind(pool);
    pool.acquire = (size, usage, label) => {
      const buffer = originalAcquire(size, usage, label);
      if (usage & BufferUsage.MAP_READ && first) {
        first = false;
        // The staging buffer's map fails at once (one staging buffer holds every output of a read).
        Object.defineProperty(buffer, 'mapAsync', { configurable: true, value: () => Promise.reject(injected) });
        restores.push(() => delete (buffer as unknown as Record<string, unknown>)['mapAsync']);
      }
      return buffer;
    };
    pool.release = (buffer) => {
      releasedWhile.push(buffer.mapState);
      originalRelease(buffer);
    };
    restores.push(() => {
      delete (pool as unknown as Record<string, unknown>)['acquire'];
      delete (pool as unknown as Record<string, unknown>)['release'];
    });
    const result = engine.compute(request(1));
    await expect(result.read()).rejects.toBe(injected);
    result.release();
    expect(releasedWhile.length).toBeGreaterThan(0);
    expect(releasedWhile.filter((state) => state !== 'unmapped'), 'map states of buffers handed back').toEqual([]);
    while (restores.length > 0) restores.pop()!();
    await expectUsable(engine);
  });
});

describe("GPU errors: the engine's own and others'", () => {
  it("an error in the engine's own submitted work fails that result with a GpuError", async () => {
    const broken = gpu.device.createBuffer({ size: 4 * 9 * 5 * 64 * 4, usage: BufferUsage.STORAGE, label: 'destroyed activations' });
    broken.destroy();
    const options = { ...request(1), activations: { data: broken, shape: [4, 5, 9, 64] } };
    const result = engine.compute(options);
    const error = await result.read().then(() => null, (e: unknown) => e);
    result.release();
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).message).toMatch(/destroyed activations|destroyed/i);
    await expectUsable(engine);
  });

  it("an uncaptured error from other work on the device (TF.js's) does not fail the engine's result", async () => {
    let seen = 0;
    const listener = (event: Event): void => {
      event.preventDefault();
      seen += 1;
    };
    gpu.device.addEventListener('uncapturederror', listener);
    try {
      const foreignError = async (): Promise<void> => {
        const before = seen;
        // MAP_READ with STORAGE is not allowed: a validation error nobody captures.
        gpu.device.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.STORAGE, label: 'foreign invalid buffer' });
        for (let i = 0; i < 200 && seen === before; i++) await new Promise((r) => setTimeout(r, 5));
        expect(seen, 'the foreign error was raised').toBe(before + 1);
      };
      await foreignError();
      const result = engine.compute(request(1));
      await foreignError();
      const { heatmap, overlay } = await result.read();
      result.release();
      expect(heatmap).toEqual(expected.heatmap);
      expect(overlay).toEqual(expected.overlay);
      for (let i = 0; i < 5; i++) await foreignError();
      await expectUsable(engine);
    } finally {
      gpu.device.removeEventListener('uncapturederror', listener);
    }
  });
});

describe('Score-CAM', () => {
  const dims = { batch: 2, height: 3, width: 4, channels: 6 };
  const model = { height: 9, width: 8 };
  const classes = 5;
  const rng = makeRng(77);
  const activations = { data: randomFloats(rng, 2 * 3 * 4 * 6, 0, 1), shape: [2, 3, 4, 6] };
  const input = { data: randomFloats(rng, 2 * 9 * 8 * 3, 0, 1), shape: [2, 9, 8, 3] };
  const logits = randomFloats(rng, dims.batch * dims.channels * classes, -3, 3);
  const pairs = dims.batch * dims.channels;

  function session(engine: CamEngine) {
    return engine.scoreCam({ activations, input, targets: [[1], [3]], classes });
  }

  function score(s: ReturnType<typeof session>, chunk: number): void {
    const masked = gpu.device.createBuffer({ size: s.maskBytes(chunk), usage: BufferUsage.STORAGE });
    try {
      for (let first = 0; first < pairs; first += chunk) {
        const count = Math.min(chunk, pairs - first);
        s.writeMasks(first, count, masked);
        s.addScores(first, count, { data: logits.subarray(first * classes, (first + count) * classes), shape: [count, classes] });
      }
    } finally {
      masked.destroy();
    }
  }

  async function clean(engine: CamEngine): Promise<Float32Array> {
    const s = session(engine);
    score(s, 5);
    const result = s.finish({ size: { height: 7, width: 11 } });
    const heatmap = await result.readHeatmap();
    result.release();
    expect(engine.poolStats().inUse).toBe(0);
    return heatmap;
  }

  it('a failure in finish reports that error; release() afterwards neither throws nor frees the status buffer twice', async () => {
    const reference = await clean(engine);
    const s = session(engine);
    score(s, 5);
    const injected = new Error('injected failure recording the Score-CAM maps');
    const restore = failOn(CommandBatch.prototype, 'run', 1, injected);
    try {
      expect(() => s.finish({ size: { height: 7, width: 11 } })).toThrow(injected);
    } finally {
      restore.restore();
    }
    expect(() => s.release()).not.toThrow();
    expect(engine.poolStats().inUse).toBe(0);
    expect(await clean(engine)).toEqual(reference);
  });

  it('a failure in any chunk step releases that step and, after release(), the whole session', async () => {
    const reference = await clean(engine);
    // Each chunk records two dispatches (masks, weights); fail each of them in turn.
    for (let nth = 1; nth <= 6; nth++) {
      const s = session(engine);
      const injected = new Error(`injected chunk failure at dispatch ${nth}`);
      const restore = failOn(CommandBatch.prototype, 'run', nth, injected);
      try {
        expect(() => score(s, 5)).toThrow(injected);
      } finally {
        restore.restore();
      }
      expect(() => s.release()).not.toThrow();
      expect(engine.poolStats().inUse, `dispatch ${nth}`).toBe(0);
    }
    expect(await clean(engine)).toEqual(reference);
  });

  it('a failure in any buffer acquisition of a new session releases the ones acquired before', async () => {
    const reference = await clean(engine);
    const count = failOn(engine.pool, 'acquire', 0, new Error('never'));
    session(engine).release();
    count.restore();
    expect(count.calls()).toBeGreaterThanOrEqual(4);
    for (let nth = 1; nth <= count.calls(); nth++) {
      const injected = new GpuError(`injected: no memory for session buffer ${nth}`);
      const restore = failOn(engine.pool, 'acquire', nth, injected);
      try {
        expect(() => session(engine)).toThrow(injected);
      } finally {
        restore.restore();
      }
      expect(engine.poolStats().inUse, `acquire ${nth}`).toBe(0);
    }
    expect(await clean(engine)).toEqual(reference);
  });

  it("a GPU error in any of a new session's uploads fails the finished result with a GpuError, never a silent answer", async () => {
    const reference = await clean(engine);
    const count = badWriteOn(gpu.device, 0);
    session(engine).release();
    count.restore();
    expect(count.calls()).toBeGreaterThanOrEqual(3);
    for (let nth = 1; nth <= count.calls(); nth++) {
      const bad = badWriteOn(gpu.device, nth);
      let s: ReturnType<typeof session>;
      try {
        s = session(engine);
      } finally {
        bad.restore();
      }
      score(s, 5);
      const result = s.finish({ size: { height: 7, width: 11 } });
      const error = await result.read().then(() => null, (e: unknown) => e);
      result.release();
      expect(error, `upload ${nth}`).toBeInstanceOf(GpuError);
      expect(engine.poolStats().inUse, `upload ${nth}`).toBe(0);
    }
    expect(await clean(engine)).toEqual(reference);
  });

  it("a GPU error in a chunk's own work fails the finished result with a GpuError", async () => {
    const reference = await clean(engine);
    const s = session(engine);
    const broken = gpu.device.createBuffer({ size: 5 * classes * 4, usage: BufferUsage.STORAGE, label: 'destroyed logits' });
    broken.destroy();
    const masked = gpu.device.createBuffer({ size: s.maskBytes(pairs), usage: BufferUsage.STORAGE });
    s.writeMasks(0, pairs, masked);
    s.addScores(0, 5, { data: broken, shape: [5, classes] });
    s.addScores(5, pairs - 5, { data: logits.subarray(5 * classes), shape: [pairs - 5, classes] });
    const result = s.finish({ size: { height: 7, width: 11 } });
    const error = await result.read().then(() => null, (e: unknown) => e);
    result.release();
    masked.destroy();
    expect(error).toBeInstanceOf(GpuError);
    expect(engine.poolStats().inUse).toBe(0);
    expect(await clean(engine)).toEqual(reference);
  });
});

describe('FaithfulnessSession', () => {
  const [batch, height, width, channels, classes] = [2, 5, 6, 2, 3];
  const pixels = height * width;
  const rng = makeRng(91);
  const input = { data: randomFloats(rng, batch * pixels * channels, -1, 1), shape: [batch, height, width, channels] };
  const maps = { data: randomFloats(rng, batch * pixels, 0, 1), shape: [batch, height, width] };
  const weights = randomFloats(rng, classes * pixels * channels, -1, 1);
  const CHUNK = 7;

  function session(engine: CamEngine): FaithfulnessSession {
    return new FaithfulnessSession(engine, { input, maps, targets: [1, 2], classes, steps: 3, percentiles: [25, 75] });
  }

  /** A linear stand-in model on the perturbed inputs the session wrote (float32 logits). */
  function logitsOf(inputs: Float32Array, count: number): Float32Array {
    const length = pixels * channels;
    return Float32Array.from({ length: count * classes }, (_, at) => {
      const j = Math.floor(at / classes);
      const k = at % classes;
      let sum = 0;
      for (let i = 0; i < length; i++) sum += weights[k * length + i]! * inputs[j * length + i]!;
      return sum;
    });
  }

  /** Drives every chunk (write inputs, read them, score them); returns the inputs written. */
  async function drive(engine: CamEngine, s: FaithfulnessSession, out: GPUBuffer): Promise<Float32Array[]> {
    const written: Float32Array[] = [];
    for (let first = 0; first < s.entries; first += CHUNK) {
      const count = Math.min(CHUNK, s.entries - first);
      s.writeInputs(first, count, out);
      const [bytes] = await readBuffers(gpu.device, engine.pool, [{ buffer: out, bytes: s.inputBytes(count) }]);
      const inputs = new Float32Array(bytes!);
      written.push(inputs);
      s.addScores(first, count, { data: logitsOf(inputs, count), shape: [count, classes] });
    }
    return written;
  }

  function outBuffer(s: FaithfulnessSession): GPUBuffer {
    const out = gpu.device.createBuffer({ size: s.inputBytes(CHUNK), usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
    restores.push(() => out.destroy());
    return out;
  }

  async function clean(engine: CamEngine): Promise<{ inputs: Float32Array[]; scores: FaithfulnessScores[] }> {
    const s = session(engine);
    const inputs = await drive(engine, s, outBuffer(s));
    const scores = await s.finish();
    expect(engine.poolStats().inUse).toBe(0);
    return { inputs, scores };
  }

  it('a failure recording any dispatch (ranks, inputs, scores) rethrows that error and, after release(), leaves nothing in use', async () => {
    const reference = await clean(engine);
    const count = failOn(CommandBatch.prototype, 'run', 0, new Error('never'));
    try {
      await clean(engine);
    } finally {
      count.restore();
    }
    const dispatches = count.calls();
    expect(dispatches).toBeGreaterThanOrEqual(5);
    for (let nth = 1; nth <= dispatches; nth++) {
      const injected = new Error(`injected faithfulness failure at dispatch ${nth}`);
      const restore = failOn(CommandBatch.prototype, 'run', nth, injected);
      let thrown: unknown;
      let s: FaithfulnessSession | undefined;
      try {
        s = session(engine);
        await drive(engine, s, outBuffer(s));
      } catch (error) {
        thrown = error;
      } finally {
        restore.restore();
      }
      expect(thrown, `dispatch ${nth}`).toBe(injected);
      // A session whose constructor threw was never returned; it released itself.
      expect(() => s?.release()).not.toThrow();
      expect(() => s?.release(), 'a second release is a no-op').not.toThrow();
      expect(engine.poolStats().inUse, `dispatch ${nth}`).toBe(0);
    }
    expect(await clean(engine)).toEqual(reference);
  });

  it('a failure in any buffer acquisition of a new session releases the ones acquired before', async () => {
    const reference = await clean(engine);
    const count = failOn(engine.pool, 'acquire', 0, new Error('never'));
    session(engine).release();
    count.restore();
    expect(count.calls()).toBeGreaterThanOrEqual(6);
    for (let nth = 1; nth <= count.calls(); nth++) {
      const injected = new GpuError(`injected: no memory for faithfulness buffer ${nth}`);
      const restore = failOn(engine.pool, 'acquire', nth, injected);
      try {
        expect(() => session(engine)).toThrow(injected);
      } finally {
        restore.restore();
      }
      expect(engine.poolStats().inUse, `acquire ${nth}`).toBe(0);
    }
    expect(await clean(engine)).toEqual(reference);
  });

  it("a GPU error in any of a new session's uploads fails finish() with a GpuError, never a silent answer", async () => {
    const reference = await clean(engine);
    const count = badWriteOn(gpu.device, 0);
    session(engine).release();
    count.restore();
    expect(count.calls()).toBeGreaterThanOrEqual(5);
    for (let nth = 1; nth <= count.calls(); nth++) {
      const bad = badWriteOn(gpu.device, nth);
      let s: FaithfulnessSession;
      try {
        s = session(engine);
      } finally {
        bad.restore();
      }
      await drive(engine, s, outBuffer(s));
      const error = await s.finish().then(() => null, (e: unknown) => e);
      expect(error, `upload ${nth}`).toBeInstanceOf(GpuError);
      expect(engine.poolStats().inUse, `upload ${nth}`).toBe(0);
    }
    expect(await clean(engine)).toEqual(reference);
  });

  it("a GPU error in a step's own work fails finish() with a GpuError and releases the session once", async () => {
    const reference = await clean(engine);
    const s = session(engine);
    const out = outBuffer(s);
    const broken = gpu.device.createBuffer({ size: CHUNK * classes * 4, usage: BufferUsage.STORAGE, label: 'destroyed faithfulness logits' });
    broken.destroy();
    for (let first = 0; first < s.entries; first += CHUNK) {
      const count = Math.min(CHUNK, s.entries - first);
      s.writeInputs(first, count, out);
      // The second chunk's logits are a destroyed buffer: its scores are never written.
      const logits = first === CHUNK ? { data: broken, shape: [count, classes] } : { data: new Float32Array(count * classes), shape: [count, classes] };
      s.addScores(first, count, logits);
    }
    const error = await s.finish().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).message).toMatch(/destroyed/i);
    expect(() => s.release()).not.toThrow();
    expect(engine.poolStats().inUse).toBe(0);
    expect(await clean(engine)).toEqual(reference);
  });
});
