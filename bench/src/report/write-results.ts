// Writes a run's JSON, markdown and SVG under bench/results/, and, after a full run, the
// markdown tables into bench/README.md and the targets into the project README, between
// their result markers.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderE2eSummary, renderMarkdown, renderSummary } from './markdown.js';
import type { BenchResults } from './result-types.js';
import { renderChart } from './svg-chart.js';

const RESULTS = ['<!-- bench:results:start -->', '<!-- bench:results:end -->'] as const;
const SUMMARY = ['<!-- bench:summary:start -->', '<!-- bench:summary:end -->'] as const;
const E2E = ['<!-- bench:e2e:start -->', '<!-- bench:e2e:end -->'] as const;

/** Replaces what lies between `markers` in `path`; false when the file or a marker is missing. */
function replaceBetween(path: string, markers: readonly [string, string], body: string): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(markers[0]);
  const end = text.indexOf(markers[1], start);
  if (start < 0 || end < start) return false;
  writeFileSync(path, `${text.slice(0, start + markers[0].length)}\n${body}\n${text.slice(end)}`);
  return true;
}

/** Paths written by writeResults. */
export interface WrittenFiles {
  readonly json: string;
  readonly markdown: string;
  readonly svg: string;
  /** The READMEs whose result sections were replaced (full runs without failures only). */
  readonly readmes: readonly string[];
}

/**
 * Writes `<runtime>-<mode>.{json,md,svg}` into `dir` (the latest run of each kind) and
 * updates `readme` with a full run's report and `projectReadme` with its targets.
 *
 * @example
 * writeResults(results, 'bench/results', 'bench/README.md', 'README.md');
 */
export function writeResults(results: BenchResults, dir: string, readme: string, projectReadme?: string): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${results.environment.runtime}-${results.mode}${results.scope === 'e2e-only' ? '-e2e' : ''}`);
  const markdown = renderMarkdown(results);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 1)}\n`);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.svg`, renderChart(results));
  const readmes: string[] = [];
  if (results.e2e && results.mode !== 'smoke' && results.e2e.failures.length === 0) {
    // The end-to-end block follows any full or quick run that measured it.
    const body = renderE2eSummary(results);
    for (const path of [readme, ...(projectReadme ? [projectReadme] : [])]) if (replaceBetween(path, E2E, body)) readmes.push(path);
  }
  if (results.mode === 'full' && results.failures.length === 0 && results.scope !== 'e2e-only') {
    // The report's title gives way to the README's own heading; its sections move one level down.
    const body = markdown
      .split('\n')
      .slice(1)
      .map((line) => (line.startsWith('## ') ? `#${line}` : line))
      .join('\n')
      .trim();
    if (replaceBetween(readme, RESULTS, body)) readmes.push(readme);
    if (projectReadme && replaceBetween(projectReadme, SUMMARY, renderSummary(results))) readmes.push(projectReadme);
  }
  return { json: `${base}.json`, markdown: `${base}.md`, svg: `${base}.svg`, readmes };
}
