import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { methodRows, scoreCamRow } from '../src/report/derive.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderChart } from '../src/report/svg-chart.js';
import { evaluateTargets } from '../src/report/targets.js';
import { writeResults } from '../src/report/write-results.js';
import { modelCase, results, scoreCamCase } from './results-fixture.js';

describe('derived figures', () => {
  it('takes speed-ups per round, including readbacks', () => {
    const [row] = methodRows([modelCase('resnet50-style', 1, 1)]);
    // TF.js ops (post + readback) per round: 21, 31, 42 over wgcam 3, 3, 6 → 7, 10.33, 7.
    expect(row?.speedupVsTfjsOps.median).toBeCloseTo(7, 12);
    expect(row?.speedupVsCpu.median).toBeCloseTo(20, 12);
    expect(row?.gpuSpeedupVsTfjsOps.median).toBeCloseTo(10, 12);
    expect(row?.modelPass.median).toBe(1010);
    expect(row?.postShareOfModel).toBeCloseTo(3 / 1010, 12);
  });

  it('relates Score-CAM overhead to its masked forwards', () => {
    const row = scoreCamRow(scoreCamCase('shapes-cnn', 100));
    expect(row?.overheadShare).toBeCloseTo(6 / 400, 12);
    expect(row?.maskSpeedupVsTfjsOps).toBeCloseTo(30, 12);
    expect(row?.totalMeasured).toBe(true);
  });

  it('scales a partial Score-CAM run up to all pairs', () => {
    const partial = { ...scoreCamCase('resnet50-style', 100), pairsTimed: 16, masks: { clock: 'wall' as const, ms: [1], wallMs: [1] }, forwards: { clock: 'wall' as const, ms: [100], wallMs: [100] }, weights: { clock: 'wall' as const, ms: [1], wallMs: [1] } };
    const row = scoreCamRow(partial);
    expect(row?.totalMeasured).toBe(false);
    expect(row?.totalMs).toBeCloseTo(102 * 4, 12);
  });
});

describe('targets', () => {
  it('reports each target with its measured ratio', () => {
    const r = results();
    const targets = evaluateTargets(r.cases, r.scoreCam);
    const byName = (text: string) => targets.find((t) => t.name.includes(text));
    expect(byName('TF.js ops')?.measured).toBeCloseTo(7, 12);
    expect(byName('TF.js ops')?.met).toBe(true);
    expect(byName('CPU loops')?.met).toBe(true);
    expect(byName('share of the forward')?.met).toBe(true);
    expect(byName('Score-CAM')?.measured).toBeCloseTo(1.5, 10);
    expect(byName('GPU buffers')?.met).toBe(false);
    expect(byName('GPU buffers')?.detail).toContain('Score-CAM shapes-cnn');
  });

  it('says a target was not measured when its case did not run', () => {
    const targets = evaluateTargets([modelCase('shapes-cnn', 1, 1)], []);
    const unmeasured = targets.filter((t) => t.measured === null);
    expect(unmeasured.length).toBe(4);
    expect(unmeasured.every((t) => t.met === null)).toBe(true);
  });
});

describe('writers', () => {
  it('renders markdown tables for every section', () => {
    const r = results();
    const md = renderMarkdown({ ...r, targets: evaluateTargets(r.cases, r.scoreCam) });
    expect(md).toContain('| model | B | method |');
    expect(md).toContain('| resnet50-style | 1 | gradcam | 7×7×2048 → 224×224 |');
    expect(md).toContain('## Score-CAM');
    expect(md).toContain('## Scaling');
    expect(md).toContain('- something');
    expect(md).not.toContain('NaN');
  });

  it('renders a standalone SVG with one bar per way and model', () => {
    const svg = renderChart(results());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect x="190" [^>]*height="9"/g)?.length).toBe(8);
    expect(svg).not.toContain('NaN');
  });

  it('puts a full run into both READMEs between their markers, and leaves them alone otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgcam-bench-report-'));
    try {
      const benchReadme = join(dir, 'bench.md');
      const projectReadme = join(dir, 'project.md');
      const before = (name: string) => `# ${name}\nintro\n<!-- bench:${name}:start -->\nold\n<!-- bench:${name}:end -->\noutro\n`;
      writeFileSync(benchReadme, before('results'));
      writeFileSync(projectReadme, before('summary'));
      const r = results();
      const quick = { ...r, targets: evaluateTargets(r.cases, r.scoreCam) };
      expect(writeResults(quick, join(dir, 'out'), benchReadme, projectReadme).readmes).toEqual([]);
      expect(readFileSync(projectReadme, 'utf8')).toBe(before('summary'));
      const written = writeResults({ ...quick, mode: 'full' }, join(dir, 'out'), benchReadme, projectReadme);
      expect(written.readmes).toEqual([benchReadme, projectReadme]);
      const bench = readFileSync(benchReadme, 'utf8');
      expect(bench).toContain('### Post-processing per model, method and batch');
      expect(bench).not.toContain('\nold\n');
      expect(bench.endsWith('<!-- bench:results:end -->\noutro\n')).toBe(true);
      const project = readFileSync(projectReadme, 'utf8');
      expect(project).toMatch(/<!-- bench:summary:start -->\nLatest full run \(node, /);
      expect(project).toContain('### Targets\n\n| target | goal | measured | met |');
      expect(project).not.toContain('Post-processing per model');
      expect(JSON.parse(readFileSync(join(dir, 'out', 'node-full.json'), 'utf8')).mode).toBe('full');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
