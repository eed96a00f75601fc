// npm run soak [-- --count N] [-- --quick]: N explanations (default 10,000; --quick 300) in one
// process, memory sampled every 500 (every 50 with --quick); exits 1 unless RSS stays within
// 10% after warm-up, TF.js's tensor count is flat and the GPU pool creates no new buffers.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSoak } from './soak-run.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const countFlag = args.indexOf('--count');
const count = countFlag >= 0 ? Number(args[countFlag + 1]) : quick ? 300 : 10_000;
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write(`soak: --count must be a positive whole number; got ${args[countFlag + 1]}\n`);
  process.exit(2);
}
const every = quick ? 50 : 500;
const report = await runSoak({
  count,
  every,
  warmup: Math.max(every, Math.floor(count / 5)),
  out: join(tmpdir(), `wgcam-soak-${process.pid}`),
  onSample: (s) => process.stdout.write(`${JSON.stringify(s)}\n`),
});
const { rss, flat } = report;
process.stdout.write(
  `soak: ${report.count} explanations on ${report.backend} (MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset'}), ${report.failures} failed; RSS ${rss.baseline} → max ${rss.max} MiB after warm-up ` +
    `(${(rss.growth * 100).toFixed(1)}%, flat: ${flat.rss}); tensors flat: ${flat.tensors}; GPU pool flat: ${flat.pool}\n`,
);
if (!flat.rss || !flat.tensors || !flat.pool || report.failures > 0) process.exitCode = 1;
