// The quick soak: 300 explanations in one process across sizes and every method (files and
// panels written); after warm-up RSS stays within 10%, TF.js's tensor count is flat and the
// GPU pool creates no new buffers. `npm run soak` runs the full 10,000.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runSoak } from '../scripts/soak-run.js';

it('300 explanations: RSS flat within 10% after warm-up, tensors and GPU pool flat', { timeout: 300_000 }, async () => {
  const report = await runSoak({ count: 300, every: 50, warmup: 100, out: join(tmpdir(), `wgcam-soak-test-${process.pid}`) });
  process.stdout.write(`soak --quick: ${JSON.stringify(report.rss)} ${JSON.stringify(report.samples.map((s) => [s.done, s.rssMiB, s.tensors, s.poolBuffers]))}\n`);
  expect(report.failures).toBe(0);
  expect(report.flat).toEqual({ rss: true, tensors: true, pool: true });
});
