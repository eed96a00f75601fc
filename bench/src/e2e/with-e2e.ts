// Adds the end-to-end suite to a run's results (its targets, what it skipped, its failures).
import { dirname, join } from 'node:path';
import type { BenchMode } from '../plan.js';
import type { BenchResults } from '../report/result-types.js';
import { e2ePlan } from './e2e-plan.js';
import { e2eTargets } from './e2e-report.js';
import { runEndToEnd } from './e2e-suite.js';

/**
 * Runs the end-to-end suite for `mode` and merges it into `results`.
 *
 * @example
 * results = await withEndToEnd(results, 'quick', benchDir, shapesModel, console.log);
 */
export async function withEndToEnd(results: BenchResults, mode: BenchMode, benchDir: string, shapesModel: string, log: (line: string) => void): Promise<BenchResults> {
  const started = Date.now();
  log('end to end: image file → overlay file');
  const e2e = await runEndToEnd(e2ePlan(mode), { benchDir, shapesModel, kerasFixtures: join(dirname(benchDir), '..', 'shared', 'fixtures', 'keras'), log });
  return {
    ...results,
    durationS: results.durationS + (Date.now() - started) / 1000,
    e2e,
    targets: [...results.targets, ...e2eTargets(e2e)],
    skipped: [...results.skipped, ...e2e.skipped],
    failures: [...results.failures, ...e2e.failures],
  };
}
