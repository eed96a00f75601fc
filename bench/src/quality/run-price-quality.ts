// The price and quality table as a step of `npm run bench`: price-quality.ts in its own
// process (it opens its own model runtime with the model on TF.js wasm, so it cannot clash
// with the TF.js backend the rest of the benchmark set up), its progress lines passed on.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the price and quality step wrote, or why it failed. */
export interface PriceQualityStep {
  /** The markdown table (bench/results/price-quality-<backend>.md), printed by the child. */
  readonly markdown: string;
  /** null when the step succeeded, else what went wrong. */
  readonly failure: string | null;
  readonly seconds: number;
}

/**
 * Runs price-quality.ts on `images` held-out shapes images, writing into `outDir`.
 *
 * @example
 * const step = await runPriceQualityStep(2, 'bench/results', console.log);
 * if (step.failure) console.error(step.failure);
 */
export function runPriceQualityStep(images: number, outDir: string, log: (line: string) => void): Promise<PriceQualityStep> {
  const here = fileURLToPath(import.meta.url);
  // The same extension as this module: price-quality.js from dist, price-quality.ts under tsx (execArgv carries its loader).
  const script = join(dirname(here), `price-quality${here.slice(here.lastIndexOf('.'))}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, '--images', String(images), '--out', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let markdown = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => (markdown += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(line);
    });
    const done = (failure: string | null): void => resolve({ markdown, failure, seconds: (Date.now() - started) / 1000 });
    child.on('error', (error) => done(`price and quality table: could not start ${script}: ${error.message}`));
    child.on('close', (code) => {
      if (pending.trim()) log(pending);
      done(code === 0 ? null : `price and quality table: ${script} exited with code ${code}`);
    });
  });
}
