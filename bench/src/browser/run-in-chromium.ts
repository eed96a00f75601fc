// --browser: the same plan in headless Chromium's WebGPU (SwiftShader without a GPU),
// driven with puppeteer-core; the page returns its results to this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import type { BenchMode } from '../plan.js';
import type { BenchResults } from '../report/result-types.js';
import { packageVersions } from '../node/versions.js';
import { bundlePage } from './bundle.js';
import { servePage } from './server.js';

/** Where Debian's chromium package puts the browser; override with CHROMIUM_PATH. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export interface ChromiumRunOptions {
  readonly mode: BenchMode;
  readonly heavy: boolean;
  readonly benchDir: string;
  readonly shapesModel: string;
  readonly log: (line: string) => void;
}

/**
 * Runs the benchmark in headless Chromium and returns its results.
 *
 * @example
 * const results = await runInChromium({ mode: 'quick', heavy: false, benchDir, shapesModel, log: console.log });
 */
export async function runInChromium(options: ChromiumRunOptions): Promise<BenchResults> {
  const { log } = options;
  log('bundling the benchmark page');
  const server = await servePage(await bundlePage(options.benchDir), options.shapesModel);
  const profile = mkdtempSync(join(tmpdir(), 'wgcam-bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    // A full run keeps one page.evaluate busy for many minutes.
    protocolTimeout: 4 * 60 * 60 * 1000,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => log(`[page] ${message.text()}`));
    page.on('pageerror', (error) => log(`[page error] ${error instanceof Error ? error.message : String(error)}`));
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction('typeof globalThis.wgcamBench === "function"', { timeout: 60_000 });
    const run = (mode: BenchMode, heavy: boolean): Promise<unknown> => (globalThis as unknown as { wgcamBench: (m: BenchMode, h: boolean) => Promise<unknown> }).wgcamBench(mode, heavy);
    const results = (await page.evaluate(run, options.mode, options.heavy)) as BenchResults;
    const { node: _node, 'webgpu (Dawn)': _dawn, ...versions } = packageVersions();
    return { ...results, environment: { ...results.environment, versions: { ...results.environment.versions, ...versions, chromium: await browser.version() } } };
  } finally {
    await browser.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
