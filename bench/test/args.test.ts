import { describe, expect, it } from 'vitest';
import { parseArgs, qualityImages } from '../src/cli/args.js';
import { benchPlan } from '../src/plan.js';

describe('command line and plans', () => {
  it('parses the options', () => {
    expect(parseArgs([])).toEqual({ quick: false, smoke: false, heavy: false, browser: false, e2eOnly: false, noE2e: false, noQuality: false, qualityImages: null, outDir: null, help: false });
    expect(parseArgs(['--', '--quick', '--browser', '--out', 'x'])).toEqual({ quick: true, smoke: false, heavy: false, browser: true, e2eOnly: false, noE2e: false, noQuality: false, qualityImages: null, outDir: 'x', help: false });
    expect(parseArgs(['--quick', '--e2e-only']).e2eOnly).toBe(true);
    expect(() => parseArgs(['--e2e-only', '--no-e2e'])).toThrow(/excludes/);
    expect(parseArgs(['--heavy']).heavy).toBe(true);
    expect(() => parseArgs(['--heavy', '--quick'])).toThrow(/full run/);
    expect(() => parseArgs(['--quick', '--smoke'])).toThrow(/exclude/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--out'])).toThrow(/needs a directory/);
  });

  it('runs the price and quality table in full and quick runs, with the images asked for', () => {
    expect(qualityImages(parseArgs([]))).toBe(2);
    expect(qualityImages(parseArgs(['--quick']))).toBe(1);
    expect(qualityImages(parseArgs(['--smoke']))).toBe(0);
    expect(qualityImages(parseArgs(['--no-quality']))).toBe(0);
    expect(qualityImages(parseArgs(['--e2e-only']))).toBe(0);
    expect(qualityImages(parseArgs(['--quick', '--quality-images', '3']))).toBe(3);
    expect(() => parseArgs(['--quality-images', '0'])).toThrow(/whole number/);
    expect(() => parseArgs(['--quality-images'])).toThrow(/whole number/);
    expect(() => parseArgs(['--no-quality', '--quality-images', '2'])).toThrow(/exclude/);
  });

  it('keeps every model in the quick plan and says what it skips', () => {
    const quick = benchPlan('quick');
    const full = benchPlan('full');
    expect(quick.models.map((m) => m.model)).toEqual(full.models.map((m) => m.model));
    expect(benchPlan('full', true).models.every((m) => m.batches.map((b) => b.batch).join() === '1,8')).toBe(true);
    expect(full.models.find((m) => m.model === 'resnet50-style')?.batches.map((b) => b.batch)).toEqual([1]);
    expect(full.skipped.some((s) => s.includes('--heavy'))).toBe(true);
    expect(quick.skipped.length).toBeGreaterThan(0);
  });
});
