// The results frame of a --e2e-only run: the environment, and none of the GPU suites.
import { cpus } from 'node:os';
import { createNodeDevice } from '@wgcam/node-adapter';
import { packageVersions } from '../node/versions.js';
import type { BenchMode } from '../plan.js';
import { RESULT_SCHEMA, type BenchResults } from '../report/result-types.js';

/**
 * Results with the environment filled in and nothing measured yet (withEndToEnd adds the suite).
 *
 * @example
 * const results = await withEndToEnd(await e2eOnlyBase('quick'), 'quick', benchDir, shapesModel, log);
 */
export async function e2eOnlyBase(mode: BenchMode): Promise<BenchResults> {
  const node = await createNodeDevice();
  const { report } = node;
  node.destroy();
  return {
    schema: RESULT_SCHEMA,
    mode,
    scope: 'e2e-only',
    startedAt: new Date().toISOString(),
    durationS: 0,
    environment: {
      runtime: 'node',
      adapter: { vendor: report.vendor, architecture: report.architecture, device: report.device, description: report.description },
      software: report.kind === 'software',
      timestampQuery: false,
      clock: 'wall',
      emptySpanMs: 0,
      tfBackend: 'per way (each end-to-end way runs in its own process)',
      versions: packageVersions(),
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
    },
    cases: [],
    scoreCam: [],
    scaling: [],
    targets: [],
    skipped: ['--e2e-only: the GPU post-processing, Score-CAM and scaling suites were not run'],
    failures: [],
  };
}
