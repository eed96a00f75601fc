// `npm run bench [-- --quick] [-- --browser]`: runs the benchmark in Node on Dawn (or in
// headless Chromium), writes bench/results/<runtime>-<mode>.{json,md,svg} and prints the
// markdown report. Exits non-zero when a check failed or a case could not run.
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, qualityImages, USAGE } from './cli/args.js';
import { benchPlan, type BenchMode } from './plan.js';
import { renderMarkdown } from './report/markdown.js';
import type { BenchResults } from './report/result-types.js';
import { writeResults } from './report/write-results.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shapesModel = resolve(benchDir, '..', 'models', 'shapes-cnn', 'model.json');
const started = Date.now();
const log = (line: string): void => void process.stdout.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);

async function runInNode(mode: BenchMode, heavy: boolean, e2eOnly: boolean): Promise<BenchResults> {
  if (e2eOnly) {
    const { e2eOnlyBase } = await import('./e2e/e2e-only.js');
    return e2eOnlyBase(mode);
  }
  const { openNodeGpu } = await import('./node/node-gpu.js');
  const { loadLayersModelFile } = await import('./node/shapes-model.js');
  const { packageVersions } = await import('./node/versions.js');
  const { runBenchmark } = await import('./runner.js');
  const gpu = await openNodeGpu();
  const { report } = gpu;
  log(`Node, ${report.kind} adapter: ${report.description} (${report.vendor} ${report.architecture}); timestamp queries: ${gpu.device.features.has('timestamp-query') ? 'yes' : 'no'}`);
  return runBenchmark({
    plan: benchPlan(mode, heavy),
    device: gpu.device,
    environment: {
      runtime: 'node',
      adapter: { vendor: report.vendor, architecture: report.architecture, device: report.device, description: report.description },
      software: report.kind === 'software',
      versions: packageVersions(),
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
    },
    loadShapes: () => loadLayersModelFile(shapesModel),
    log,
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const mode: BenchMode = args.smoke ? 'smoke' : args.quick ? 'quick' : 'full';
  log(`${mode}${args.heavy ? ' (heavy)' : ''} run in ${args.browser ? 'headless Chromium' : 'Node'}`);
  let results: BenchResults;
  if (args.browser) {
    const { runInChromium } = await import('./browser/run-in-chromium.js');
    results = await runInChromium({ mode, heavy: args.heavy, benchDir, shapesModel, log });
  } else {
    results = await runInNode(mode, args.heavy, args.e2eOnly);
    if (!args.noE2e) {
      const { withEndToEnd } = await import('./e2e/with-e2e.js');
      results = await withEndToEnd(results, mode, benchDir, shapesModel, log);
    }
  }
  const outDir = args.outDir ? resolve(args.outDir) : join(benchDir, 'results');
  const files = writeResults(results, outDir, join(benchDir, 'README.md'), join(benchDir, '..', 'README.md'));
  process.stdout.write(`\n${renderMarkdown(results)}\n`);
  log(`wrote ${files.json}, ${files.markdown}, ${files.svg}${files.readmes.length > 0 ? ` and the results sections of ${files.readmes.join(', ')}` : ''}`);
  const failures = [...results.failures];
  const images = args.browser ? 0 : qualityImages(args);
  if (images > 0) {
    // The price and quality table (every method on held-out shapes images, the bundled model on TF.js wasm).
    const { runPriceQualityStep } = await import('./quality/run-price-quality.js');
    log(`price and quality table on ${images} held-out shapes image(s) (--quality-images N, --no-quality)`);
    const step = await runPriceQualityStep(images, outDir, log);
    if (step.failure) {
      failures.push(step.failure);
    } else {
      process.stdout.write(`\n${step.markdown}\n`);
      log(`price and quality table: ${step.seconds.toFixed(0)} s; wrote ${join(outDir, 'price-quality-wasm.md')} and .json`);
    }
  }
  for (const failure of failures) log(`FAILED: ${failure}`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  // Dawn keeps handles open; exit explicitly once the report is written.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
