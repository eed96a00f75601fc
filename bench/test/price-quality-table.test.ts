import { describe, expect, it } from 'vitest';
import { formatPriceQuality, type PriceQualityRow } from '../src/quality/price-quality-table.js';

const row = (method: 'gradcam' | 'eigencam', deletionAuc: number, insertionAuc: number): PriceQualityRow => ({
  method,
  title: method,
  explainMs: 10,
  pointing: 0.5,
  energy: 0.25,
  metricsMs: 100,
  images: 4,
  deletionAuc,
  insertionAuc,
  averageDrop: 0.2,
  increaseInConfidence: 0.25,
  roadMorf: -0.3,
  roadLerf: -0.1,
  roadCombined: 0.1,
});

describe('the price and quality table', () => {
  it('bolds the best value of each metric by its direction and states the kernels\' share', () => {
    const text = formatPriceQuality([row('gradcam', 0.2, 0.5), row('eigencam', 0.3, 0.7)], { entries: 86, kernelsMs: 5, forwardMs: 100, transferMs: 1, byKindMs: { road: 4 } }, { backend: 'wasm' });
    const lines = text.split('\n');
    const cells = (method: string): string[] => lines.find((l) => l.startsWith(`| ${method} `))!.split('|').map((c) => c.trim());
    // Cells: '', method, ms, pointing, energy, deletion, insertion, ...
    expect(cells('gradcam')[5]).toBe('**0.200**'); // lowest deletion AUC
    expect(cells('eigencam')[5]).toBe('0.300');
    expect(cells('gradcam')[6]).toBe('0.500');
    expect(cells('eigencam')[6]).toBe('**0.700**'); // highest insertion AUC
    expect(text).toContain('share 5.0% (target < 10%)');
    expect(text).not.toContain('First pass');
  });

  it('states the first pass (compiling included) apart from the share when it was measured', () => {
    const text = formatPriceQuality([], { entries: 86, kernelsMs: 5, forwardMs: 100, transferMs: 1, byKindMs: { road: 4 }, firstPass: { kernelsMs: 60, forwardMs: 200, byKindMs: { road: 50 } } }, { backend: 'webgpu' });
    expect(text).toContain('a second pass over the same inputs, pipelines compiled');
    expect(text).toContain('share 5.0% (target < 10%)');
    expect(text).toContain('First pass, compiling included: kernels 60.0 ms, forward passes 200.0 ms, 30.0%; by kind: road 50.0 ms.');
  });
});
