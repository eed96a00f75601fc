// The end-to-end section: targets from interleaved rounds, the table's shares, and a run
// without the peer saying why.
import { describe, expect, it } from 'vitest';
import { e2ePlan } from '../src/e2e/e2e-plan.js';
import { e2eTargets, renderE2e } from '../src/e2e/e2e-report.js';
import type { E2eResults } from '../src/e2e/e2e-types.js';

const PEER = 'pytorch-grad-cam math (PyTorch CPU)';
const way = (name: string, seconds: number[]) => ({ way: name, seconds, model: seconds.map((s) => s * 0.8), cam: seconds.map((s) => s * 0.1), io: seconds.map((s) => s * 0.1) });

const results: E2eResults = {
  threads: '1',
  peer: { available: true, note: 'python3: torch' },
  cases: [{ model: 'resnet50-style', batch: 1, size: 224, ways: [way('wgcam wasm', [0.7, 0.8, 0.75]), way(PEER, [0.6, 0.62, 0.64])], wasmOverPeer: [0.7 / 0.6, 0.8 / 0.62, 0.75 / 0.64] }],
  methodAll: { model: 'shapes-cnn', seconds: { all: [1.2], gradcam: [0.1], scorecam: [1.0], cam: [0.05] }, ratios: [1.2 / 1.05] },
  graphOpen: [{ model: 'models/shapes-cnn-graph/model.json', openMs: [3, 4, 5], forwardMs: [10, 11, 12] }],
  skipped: [],
  failures: [],
};

describe('end-to-end report', () => {
  it('evaluates the three targets from the rounds', () => {
    const [peer, all, open] = e2eTargets(results);
    expect(peer!.measured).toBeCloseTo(0.75 / 0.64, 6);
    expect(peer!.met).toBe(true);
    expect(all!.measured).toBeCloseTo(1.2 / 1.05, 6);
    expect(open!.measured).toBeCloseTo(4 / 11, 6);
    expect(open!.met).toBe(true);
  });

  it('reports the peer target as not measured, with the install note, when Python is missing', () => {
    const none = { ...results, peer: { available: false, note: 'the Python peer was skipped: No module named torch' }, cases: [{ ...results.cases[0]!, ways: [results.cases[0]!.ways[0]!], wasmOverPeer: [] }] };
    const [peer] = e2eTargets(none);
    expect(peer!.met).toBeNull();
    expect(peer!.detail).toMatch(/No module named torch/);
    expect(renderE2e(none).join('\n')).toMatch(/skipped/);
  });

  it('renders seconds per explanation with model / CAM / I/O shares and the ratio to the peer', () => {
    const text = renderE2e(results).join('\n');
    expect(text).toMatch(/\| resnet50-style 224² \| 1 \| wgcam wasm \| 0\.75 \| 3 \| 80% \| 10% \| 10% \| 1\.17× \(per round\) \|/);
    expect(text).toMatch(/open ÷ forward/);
  });

  it('leaves webgpu out of --quick on the 224² networks and says so', () => {
    const quick = e2ePlan('quick');
    const big = quick.cases.filter((c) => c.model !== 'shapes-cnn');
    expect(big.every((c) => c.backends.every((b) => b.backend !== 'webgpu'))).toBe(true);
    expect(quick.skipped.join(' ')).toMatch(/webgpu/);
    expect(e2ePlan('full').cases.some((c) => c.model === 'resnet50-style' && c.backends.some((b) => b.backend === 'webgpu'))).toBe(true);
  });
});
