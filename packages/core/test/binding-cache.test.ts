// Bind groups and parameter (uniform) buffers are reused, not created per dispatch: after
// warm-up, repeated calls of one shape create no GPU object at all; calls of ever new
// shapes keep the cache within its limit, and no kept bind group refers to a buffer the
// pool destroyed (results stay exact).
import { describe, expect, it } from 'vitest';
import { CamEngine, type ComputeOptions } from '../src/index.js';
import { referenceHeatmaps } from '../src/reference/index.js';
import { CASES, makeInputs } from './cases.js';
import { expectClose, makeRng, randomFloats, useGpu } from './gpu-fixture.js';

const gpu = useGpu();

type Counters = ReturnType<CamEngine['poolStats']>;

function created(stats: Counters): { buffers: number; bindGroups: number; uniforms: number } {
  return { buffers: stats.created, bindGroups: stats.bindGroupsCreated, uniforms: stats.uniformBuffersCreated };
}

describe('binding cache', () => {
  it('repeated explanations of one shape create no bind group, uniform buffer or buffer after warm-up', async () => {
    const engine = new CamEngine(gpu.device);
    try {
      const options: ComputeOptions = {
        ...makeInputs('gradcam++', CASES[3]!, 31), // 7×7×2048 → 224²
        overlay: { image: { data: new Uint8Array(224 * 224 * 4).fill(90), width: 224, height: 224 }, colormap: 'jet' },
      };
      const once = async (): Promise<Float32Array> => {
        const result = engine.compute(options);
        const { heatmap } = await result.read();
        result.release();
        return heatmap!;
      };
      const first = await once();
      const afterOne = created(engine.poolStats());
      expect(afterOne.bindGroups, 'the counter counts').toBeGreaterThanOrEqual(engine.dispatchCount());
      expect(afterOne.uniforms).toBe(engine.dispatchCount());
      // The pool hands back same-sized buffers in alternating order, so the second call may still bind new pairs.
      for (let i = 0; i < 2; i++) await once();
      const warm = created(engine.poolStats());
      for (let i = 0; i < 30; i++) {
        const heatmap = await once();
        expect(heatmap.findIndex((v, k) => v !== first[k]), `call ${i}: first differing element`).toBe(-1);
      }
      expect(created(engine.poolStats())).toEqual(warm);
      console.log(`one call: ${engine.dispatchCount() / 33} dispatches; warm-up created ${warm.bindGroups} bind groups, ${warm.uniforms} uniform buffers, ${warm.buffers} buffers; 30 more calls created none`);
    } finally {
      engine.destroy();
    }
  });

  it('repeated Score-CAM sessions of one shape create nothing new after warm-up', async () => {
    const engine = new CamEngine(gpu.device);
    const rng = makeRng(32);
    const [batch, h, w, channels, classes] = [2, 3, 4, 6, 5];
    const activations = { data: randomFloats(rng, batch * h * w * channels, 0, 1), shape: [batch, h, w, channels] };
    const input = { data: randomFloats(rng, batch * 9 * 8 * 3, 0, 1), shape: [batch, 9, 8, 3] };
    const logits = randomFloats(rng, batch * channels * classes, -3, 3);
    const pairs = batch * channels;
    const masked = gpu.device.createBuffer({ size: 5 * 9 * 8 * 3 * 4, usage: GPUBufferUsage.STORAGE });
    const once = async (): Promise<Float32Array> => {
      const session = engine.scoreCam({ activations, input, targets: [[1], [4]], classes });
      for (let first = 0; first < pairs; first += 5) {
        const count = Math.min(5, pairs - first);
        session.writeMasks(first, count, masked);
        session.addScores(first, count, { data: logits.subarray(first * classes, (first + count) * classes), shape: [count, classes] });
      }
      const result = session.finish({ size: { height: 7, width: 11 } });
      const heatmap = await result.readHeatmap();
      result.release();
      return heatmap;
    };
    try {
      const first = await once();
      for (let i = 0; i < 2; i++) await once();
      const warm = created(engine.poolStats());
      for (let i = 0; i < 10; i++) {
        const heatmap = await once();
        expect(heatmap.findIndex((v, k) => v !== first[k]), `session ${i}: first differing element`).toBe(-1);
      }
      expect(created(engine.poolStats())).toEqual(warm);
    } finally {
      masked.destroy();
      engine.destroy();
    }
  });

  it('ever new shapes keep the cache within its limit and never bind a destroyed buffer; results stay exact', async () => {
    const destroyed = new WeakSet<GPUBuffer>();
    const device = gpu.device;
    const createBuffer = device.createBuffer;
    // Every buffer made meanwhile records its own destruction.
    Object.defineProperty(device, 'createBuffer', {
      configurable: true,
      value: (descriptor: GPUBufferDescriptor): GPUBuffer => {
        const buffer = createBuffer.call(device, descriptor);
        const destroy = buffer.destroy;
        Object.defineProperty(buffer, 'destroy', {
          configurable: true,
          value: () => {
            destroyed.add(buffer);
            destroy.call(buffer);
          },
        });
        return buffer;
      },
    });
    const limit = 6;
    const engine = new CamEngine(device, { poolBudgetBytes: 64 * 1024, bindingCacheLimit: limit, poisonOutputs: true });
    try {
      const small = CASES.filter((c) => c.height * c.width * c.channels * c.batch * c.targets <= 40_000);
      for (let i = 0; i < 24; i++) {
        const testCase = small[i % small.length]!;
        const method = (['gradcam', 'layercam', 'xgradcam'] as const)[i % 3]!;
        const options = { ...makeInputs(method, testCase, 300 + i), size: { height: 9 + 5 * i, width: 13 + 3 * i } };
        const result = engine.compute(options);
        const { heatmap } = await result.read();
        result.release();
        expectClose(heatmap!, referenceHeatmaps(options).heatmap, 1e-5, `call ${i} (${method})`);
        const stats = engine.poolStats();
        expect(stats.bindGroups).toBeLessThanOrEqual(limit);
        expect(stats.uniformBuffers).toBeLessThanOrEqual(limit);
        const stale = engine.pool.bindings.referencedBuffers().filter((b) => destroyed.has(b));
        expect(stale.map((b) => b.label), `call ${i}: bind groups kept on destroyed buffers`).toEqual([]);
      }
      const stats = engine.poolStats();
      expect(stats.evicted, 'the pool evicted buffers').toBeGreaterThan(0);
      expect(stats.bindGroupsCreated, 'the cache dropped bind groups').toBeGreaterThan(limit);
      expect(stats.uniformBuffersCreated, 'the cache dropped uniform buffers').toBeGreaterThan(limit);
    } finally {
      engine.destroy();
      delete (device as unknown as Record<string, unknown>)['createBuffer'];
    }
  });
});
