// The demo after its GPUDevice is lost mid-run (destroyed through the page's test hook, as
// a driver reset would end it): the page says so, makes a new device, TF.js backend and
// engine by itself, reloads the model, resumes frames and says it recovered.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { relativeL2 } from '@wgcam/core/reference';
import { SHAPES_DATASET_SEEDS } from '@wgcam/shapes';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoProbe } from '../src/test-hooks.js';
import { buildSite, DEMO_ROOT } from './support/build-site.js';
import { launchChromium, type LaunchedBrowser } from './support/chromium.js';
import { pageStatus, visibleText, waitForFrames } from './support/page-status.js';
import { writeShapesVideo } from './support/shapes-video.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

const ARTIFACTS = join(DEMO_ROOT, 'test-artifacts', 'device-loss');
const SITE = join(ARTIFACTS, 'site');

interface StatusEntry {
  readonly state: string | undefined;
  readonly text: string;
}

let server: StaticServer;
let chromium: LaunchedBrowser;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

/** Runs in the page before its scripts: records every text and state #gpu-status shows. */
function recordGpuStatus(): void {
  const log: { state: string | undefined; text: string }[] = [];
  (window as unknown as { gpuStatusLog: typeof log }).gpuStatusLog = log;
  document.addEventListener('DOMContentLoaded', () => {
    const element = document.getElementById('gpu-status')!;
    new MutationObserver(() => {
      if (!element.hidden) log.push({ state: element.dataset['state'], text: element.textContent ?? '' });
    }).observe(element, { attributes: true, childList: true, characterData: true, subtree: true });
  });
}

function probe(target: Page = page): Promise<DemoProbe> {
  return target.evaluate(() => (window as unknown as { wgcam: { probe(): Promise<DemoProbe> } }).wgcam.probe());
}

/** Destroys the page's device and waits until the page says it recovered. */
async function loseDeviceAndRecover(target: Page = page): Promise<StatusEntry[]> {
  const before = await pageStatus(target);
  await target.evaluate(() => (window as unknown as { gpuStatusLog: unknown[] }).gpuStatusLog.splice(0));
  await target.evaluate(() => (window as unknown as { wgcam: { loseDevice(): void } }).wgcam.loseDevice());
  await target.waitForFunction((n: number) => (window as unknown as { wgcam: { status(): { recoveries: number } } }).wgcam.status().recoveries > n, { timeout: 120_000, polling: 100 }, before.recoveries);
  return target.evaluate(() => (window as unknown as { gpuStatusLog: StatusEntry[] }).gpuStatusLog);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const video = writeShapesVideo(join(ARTIFACTS, 'moving-shapes.y4m'), SHAPES_DATASET_SEEDS.video, 30);
  await buildSite(SITE);
  server = await serveStatic({ '/': SITE });
  chromium = await launchChromium({ fakeVideo: video.path });
  page = await chromium.browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.evaluateOnNewDocument(recordGpuStatus);
  await page.setViewport({ width: 1280, height: 900 });
  // The webgpu model backend: the device shared by TF.js and the engine is the one lost.
  await page.goto(`${server.url}?backend=webgpu`, { waitUntil: 'load' });
  await waitForFrames(page, 2, { after: 0, timeout: 120_000 });
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('the demo when its GPU device is lost', () => {
  it('says so, recreates device, TF.js backend and engine by itself, and explains the still image as before', async () => {
    const still = await probe();
    const log = await loseDeviceAndRecover();
    // It said what happened while recovering, then that it recovered.
    expect(log.find((e) => e.state === 'recovering')?.text, JSON.stringify(log)).toMatch(/GPU device was lost .*\(destroyed.*Recreating the GPU device, the TF\.js backend and the wgcam engine/);
    expect(await page.$eval('#gpu-status', (el) => (el as HTMLElement).dataset['state'])).toBe('recovered');
    expect(await visibleText(page, '#gpu-status')).toMatch(/GPU device was lost .*Recovered by itself: new GPU device, TF\.js backend, wgcam engine and model; frames resumed/);
    // Frames resume, on a new device that TF.js and the engine share again.
    const resumed = await waitForFrames(page, 3, { timeout: 120_000 });
    expect(resumed.recoveries).toBe(1);
    expect(resumed.backend).toBe('webgpu');
    expect(resumed.sharedDevice).toBe(true);
    expect(await page.$eval('#fatal', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await visibleText(page, '#frame-message')).toBeNull();
    // The model came back whole: the same class and heatmap on the same still image.
    const after = await probe();
    expect(after.explained.classIndex).toBe(still.explained.classIndex);
    expect(relativeL2(Float32Array.from(after.heatmap), Float32Array.from(still.heatmap))).toBeLessThan(1e-5);
    expect(pageErrors).toEqual([]);
  });

  it('recovers again while the camera runs', async () => {
    await page.click('#start-camera');
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { cameraOn: boolean } } }).wgcam.status().cameraOn, { timeout: 30_000 });
    await waitForFrames(page, 3, { timeout: 120_000 });
    const log = await loseDeviceAndRecover();
    expect(log.map((e) => e.state)).toContain('recovering');
    const status = await waitForFrames(page, 5, { timeout: 120_000 });
    expect(status.recoveries).toBe(2);
    expect(status.cameraOn).toBe(true);
    expect(status.sharedDevice).toBe(true);
    expect((await pageStatus(page)).imageSize).toEqual({ width: 320, height: 240 });
    expect(pageErrors).toEqual([]);
    console.log(`[device-loss] console errors during two losses: ${consoleErrors.length}${consoleErrors.length ? ` (${[...new Set(consoleErrors)].slice(0, 5).join(' | ')})` : ''}`);
  });

  it('recovers with the model on TF.js wasm too (auto on SwiftShader): only the engine’s device is new', async () => {
    const other = await chromium.browser.newPage();
    try {
      other.on('pageerror', (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
      await other.evaluateOnNewDocument(recordGpuStatus);
      await other.setViewport({ width: 1280, height: 900 });
      await other.goto(server.url, { waitUntil: 'load' });
      await waitForFrames(other, 2, { after: 0, timeout: 120_000 });
      expect((await pageStatus(other)).backend).toBe('wasm');
      const still = await probe(other);
      const log = await loseDeviceAndRecover(other);
      expect(log.map((e) => e.state)).toContain('recovering');
      const status = await waitForFrames(other, 3, { timeout: 120_000 });
      expect(status.recoveries).toBe(1);
      expect(status.backend).toBe('wasm');
      expect(status.overlay).toBe('webgpu');
      const after = await probe(other);
      expect(after.explained.classIndex).toBe(still.explained.classIndex);
      expect(relativeL2(Float32Array.from(after.heatmap), Float32Array.from(still.heatmap))).toBeLessThan(1e-5);
      expect(pageErrors).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
