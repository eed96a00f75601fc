// Writes a run's JSON, markdown and SVG under bench/results/, and, after a full run, the
// markdown tables into bench/README.md between its result markers.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './markdown.js';
import type { BenchResults } from './result-types.js';
import { renderChart } from './svg-chart.js';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Paths written by writeResults. */
export interface WrittenFiles {
  readonly json: string;
  readonly markdown: string;
  readonly svg: string;
  readonly readme: string | null;
}

/**
 * Writes `<runtime>-<mode>.{json,md,svg}` into `dir` (the latest run of each kind) and
 * updates `readme` with a full run's report.
 *
 * @example
 * writeResults(results, 'bench/results', 'bench/README.md');
 */
export function writeResults(results: BenchResults, dir: string, readme: string): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${results.environment.runtime}-${results.mode}`);
  const markdown = renderMarkdown(results);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 1)}\n`);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.svg`, renderChart(results));
  let readmeWritten: string | null = null;
  if (results.mode === 'full' && results.failures.length === 0 && existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    if (start >= 0 && end > start) {
      // The report's title gives way to the README's own heading; its sections move one level down.
      const body = markdown
        .split('\n')
        .slice(1)
        .map((line) => (line.startsWith('## ') ? `#${line}` : line))
        .join('\n')
        .trim();
      writeFileSync(readme, `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`);
      readmeWritten = readme;
    }
  }
  return { json: `${base}.json`, markdown: `${base}.md`, svg: `${base}.svg`, readme: readmeWritten };
}
