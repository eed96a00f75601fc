// The quick soak: 300 explanations in one process across sizes and every method (files and
// panels written): no explanation fails, TF.js's tensor count is flat and the GPU pool
// creates no new buffers after warm-up. RSS is printed as a figure, not asserted here: 300
// explanations end inside the process's memory warm-up (a 1,500-explanation soak measured
// 534.6, 563 and 541 MiB at 500, 1,000 and 1,500; in CI the quick run rose 10.6% from its
// 150th to its 300th). `npm run soak` asserts RSS within 10% over 10,000 after 2,000 of warm-up.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runSoak } from '../scripts/soak-run.js';

it('300 explanations: none fails, tensors and GPU pool flat after warm-up (RSS reported)', { timeout: 300_000 }, async () => {
  const report = await runSoak({ count: 300, every: 50, warmup: 100, out: join(tmpdir(), `wgcam-soak-test-${process.pid}`) });
  process.stdout.write(`soak --quick: ${JSON.stringify(report.rss)} ${JSON.stringify(report.samples.map((s) => [s.done, s.rssMiB, s.tensors, s.poolBuffers]))}\n`);
  expect(report.failures).toBe(0);
  expect(report.flat.tensors).toBe(true);
  expect(report.flat.pool).toBe(true);
});
