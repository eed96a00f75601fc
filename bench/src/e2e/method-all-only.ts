// `node bench/dist/e2e/method-all-only.js [--model shapes-cnn|mobilenetv2-style] [--rounds N]`:
// the end-to-end suite's `--method all` check alone (the same runMethodAll as `npm run bench`:
// one wasm worker, one seeded image, all / gradcam / cam / every method of `all` that adds
// model passes in rotating order), printing each round and the medians. Writes no results
// file: for checking a change to `all` without the whole suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { E2eModel } from './e2e-types.js';
import { prepareFiles, runMethodAll } from './e2e-suite.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : (process.argv[at + 1] ?? fallback);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const model = arg('--model', 'shapes-cnn') as E2eModel;
  if (model !== 'shapes-cnn' && model !== 'mobilenetv2-style') throw new Error(`--model: shapes-cnn or mobilenetv2-style, not '${model}'`);
  const rounds = Number(arg('--rounds', '3'));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: a positive integer, not '${arg('--rounds', '')}'`);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const ctx = { benchDir, shapesModel: join(benchDir, '..', 'models', 'shapes-cnn', 'model.json'), kerasFixtures: '', log };
  const dir = mkdtempSync(join(tmpdir(), 'wgcam-method-all-'));
  try {
    const result = await runMethodAll(ctx, model, rounds, await prepareFiles(ctx, dir), join(dir, 'out'));
    log(`medians (s): ${Object.entries(result.seconds).map(([m, s]) => `${m} ${median(s).toFixed(3)}`).join(', ')}`);
    log(`all ÷ (gradcam + Σ (m − cam)) per round: ${result.ratios.map((r) => r.toFixed(2)).join(' ')}; median ${median(result.ratios).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
