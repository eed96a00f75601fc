// An invalid kernel (a WGSL compile error, or a pipeline that cannot be built) must never
// give a silent wrong answer: the call that uses it rejects with a GpuError naming the
// kernel, for the engine's own calls and for both sessions, and nothing stays in use. Each
// test compiles on a fresh device, since pipelines are cached per device.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KERNELS, type KernelName } from '@wgcam/shaders';
import { createNodeDevice, type NodeDevice } from '@wgcam/node-adapter';
import { CamEngine, FaithfulnessSession, GpuError } from '../src/index.js';
import { BufferUsage } from '../src/gpu/flags.js';
import { CASES, makeInputs } from './cases.js';
import { makeRng, randomFloats } from './gpu-fixture.js';

/** How a kernel is broken: its shader module (a reserved word, as happened in development) or its pipeline (no entry point 'main'). */
type Breakage = 'module' | 'pipeline';

function broken(source: string, how: Breakage): string {
  // `target` is a WGSL reserved word: the module fails to compile.
  return how === 'module' ? `${source}\nconst target: u32 = 1u;\n` : source.replace(/fn main\s*\(/, 'fn not_main(');
}

let node: NodeDevice;
let engine: CamEngine;
const restores: (() => void)[] = [];
beforeEach(async () => {
  node = await createNodeDevice();
  engine = new CamEngine(node.device, { poisonOutputs: true });
});
afterEach(() => {
  while (restores.length > 0) restores.pop()!();
  engine.destroy();
  node.destroy();
});

function breakKernel(kernel: KernelName, how: Breakage): void {
  const info = KERNELS[kernel] as { source: string };
  const original = info.source;
  const changed = broken(original, how);
  expect(changed, 'the source was changed').not.toBe(original);
  info.source = changed;
  restores.push(() => {
    info.source = original;
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

function expectKernelError(error: unknown, kernel: KernelName): void {
  expect(error, 'the call rejected').toBeInstanceOf(GpuError);
  expect((error as GpuError).message).toContain(`kernel ${kernel}`);
}

const HOWS: readonly Breakage[] = ['module', 'pipeline'];

describe('an invalid kernel is reported, never silent', () => {
  it.each(HOWS)('Grad-CAM compute with an invalid gradcam_weights (%s) rejects with a GpuError naming it', async (how) => {
    // Both reduction paths' variants: the engine runs the subgroup one where the device has `subgroups`.
    breakKernel('gradcam_weights', how);
    breakKernel('gradcam_weights_subgroups', how);
    const result = engine.compute(makeInputs('gradcam', CASES[0]!, 3));
    const error = await rejection(result.read());
    result.release();
    expectKernelError(error, 'gradcam_weights');
    expect(engine.poolStats().inUse).toBe(0);
    // The kernel stays invalid on this device: the next call says so again.
    const again = engine.compute(makeInputs('gradcam', CASES[0]!, 3));
    expectKernelError(await rejection(again.read()), 'gradcam_weights');
    again.release();
  });

  it.each(HOWS)('a Score-CAM session with an invalid pass_scores (%s) rejects with a GpuError naming it', async (how) => {
    breakKernel('pass_scores', how);
    const rng = makeRng(77);
    const classes = 5;
    const session = engine.scoreCam({
      activations: { data: randomFloats(rng, 2 * 3 * 4 * 6, 0, 1), shape: [2, 3, 4, 6] },
      input: { data: randomFloats(rng, 2 * 9 * 8 * 3, 0, 1), shape: [2, 9, 8, 3] },
      targets: [[1], [3]],
      classes,
    });
    const masked = node.device.createBuffer({ size: session.maskBytes(session.passes), usage: BufferUsage.STORAGE });
    session.writeMasks(0, session.passes, masked);
    session.addScores(0, session.passes, { data: randomFloats(rng, session.passes * classes, -3, 3), shape: [session.passes, classes] });
    const result = session.finish({ size: { height: 7, width: 11 } });
    const error = await rejection(result.read());
    result.release();
    masked.destroy();
    expectKernelError(error, 'pass_scores');
    expect(engine.poolStats().inUse).toBe(0);
  });

  const FAITHFULNESS_KERNELS: readonly KernelName[] = ['map_ranks', 'cam_multiply', 'deletion_insertion', 'road_impute', 'metric_scores'];
  const cases = FAITHFULNESS_KERNELS.flatMap((kernel) => HOWS.map((how) => [kernel, how] as const));

  it.each(cases)('a FaithfulnessSession with an invalid %s (%s) rejects finish() with a GpuError naming it', async (kernel, how) => {
    breakKernel(kernel, how);
    const rng = makeRng(5);
    const [batch, height, width, channels, classes] = [1, 4, 5, 2, 3];
    const session = new FaithfulnessSession(engine, {
      input: { data: randomFloats(rng, batch * height * width * channels, -1, 1), shape: [batch, height, width, channels] },
      maps: { data: randomFloats(rng, batch * height * width, 0, 1), shape: [batch, height, width] },
      targets: 1,
      classes,
      steps: 2,
      percentiles: [50],
    });
    const out = node.device.createBuffer({ size: session.inputBytes(session.entries), usage: BufferUsage.STORAGE });
    session.writeInputs(0, session.entries, out);
    // Stand-in logits: the test is about the error, not the values.
    session.addScores(0, session.entries, { data: randomFloats(rng, session.entries * classes, -2, 2), shape: [session.entries, classes] });
    const error = await rejection(session.finish());
    out.destroy();
    expectKernelError(error, kernel);
    expect(engine.poolStats().inUse).toBe(0);
  });
});
