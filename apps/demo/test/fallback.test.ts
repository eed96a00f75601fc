// The demo's backend choice. Headless Chromium here has only SwiftShader, a software
// WebGPU adapter: 'auto' runs the model on TF.js wasm (binaries served by the site itself)
// while the WebGPU engine still draws the map; without navigator.gpu the page classifies
// on wasm and draws the overlay on the CPU into a 2-D canvas.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { METHODS, methodsInAll, type MethodName } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { SHAPE_CLASSES } from '@wgcam/shapes';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoProbe } from '../src/test-hooks.js';
import { buildSite, DEMO_ROOT } from './support/build-site.js';
import { launchChromium, type LaunchedBrowser } from './support/chromium.js';
import { pageStatus, visibleText, waitForFrames } from './support/page-status.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

const ARTIFACTS = join(DEMO_ROOT, 'test-artifacts', 'fallback');
const SITE = join(ARTIFACTS, 'site');

let server: StaticServer;
let chromium: LaunchedBrowser;
/** Every request a page made that did not go to the test server. */
const outside: string[] = [];

interface OpenedPage {
  readonly page: Page;
  readonly errors: string[];
}

async function openPage(query: string, before?: () => void): Promise<OpenedPage> {
  const page = await chromium.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error instanceof Error ? error.message : String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) outside.push(request.url());
  });
  if (before) await page.evaluateOnNewDocument(before);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${server.url}${query}`, { waitUntil: 'load' });
  await waitForFrames(page, 2, { after: 0, timeout: 180_000 });
  return { page, errors };
}

function probe(page: Page): Promise<DemoProbe> {
  return page.evaluate(() => (window as unknown as { wgcam: { probe(): Promise<DemoProbe> } }).wgcam.probe());
}

/** Picks a method and probes a frame rendered with it. */
async function probeWith(page: Page, method: MethodName): Promise<DemoProbe> {
  // Only the tab in front gets animation frames (which drive a still image).
  await page.bringToFront();
  await page.select('#method', method);
  await page.waitForFunction((m: string) => (window as unknown as { wgcam: { status(): { settings: { method: string } } } }).wgcam.status().settings.method === m, { timeout: 30_000 }, method);
  await waitForFrames(page, 1, { timeout: 180_000 }); // a frame begun before the change may still be in flight
  return probe(page);
}

/**
 * The ?backend=webgpu page, opened once, and its probe of every method: the reference both
 * comparisons (wasm, webgl) check against. Each method's probe is taken once: the page shows
 * one still, so a second probe would be the same frame's map again.
 */
let webgpuReference: OpenedPage | null = null;
const webgpuProbes = new Map<MethodName, DemoProbe>();
async function webgpuReferencePage(): Promise<OpenedPage> {
  webgpuReference ??= await openPage('?backend=webgpu');
  return webgpuReference;
}
async function webgpuProbe(method: MethodName): Promise<DemoProbe> {
  const known = webgpuProbes.get(method);
  if (known) return known;
  const probed = await probeWith((await webgpuReferencePage()).page, method);
  webgpuProbes.set(method, probed);
  return probed;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildSite(SITE);
  server = await serveStatic({ '/': SITE }, { crossOriginIsolated: true });
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  await webgpuReference?.page.close().catch(() => undefined);
  await chromium?.close();
  await server?.close();
});

describe('the demo on a software WebGPU adapter (SwiftShader), backend auto', () => {
  it('runs the model on TF.js wasm, draws with the WebGPU engine, says why, and gives the webgpu path’s heatmaps (relative L2 < 1e-5)', async () => {
    const auto = await openPage('');
    const gpuPage = await webgpuReferencePage();
    try {
      const status = await pageStatus(auto.page);
      expect(status.backend).toBe('wasm');
      expect(status.overlay).toBe('webgpu');
      expect(status.sharedDevice).toBe(false);
      expect(await auto.page.$eval('#backend', (el) => el.textContent)).toMatch(/^Model on TF\.js wasm \(wasm with(out)? SIMD, \d+ threads?.*\): only a software WebGPU adapter \(.*swiftshader.*\).*Overlay: WebGPU engine\.$/i);
      expect(await auto.page.$eval('#adapter', (el) => el.textContent)).toMatch(/wgcam engine on this device, the model on TF\.js wasm/);
      // Served cross-origin isolated, where TF.js would pick its threaded build (whose workers
      // fail once bundled): the page stays on one thread and says why.
      expect(await auto.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      expect(await auto.page.$eval('#backend', (el) => el.textContent)).toContain("1 thread (one thread: TF.js's threaded wasm build does not start once bundled)");
      expect((await pageStatus(gpuPage.page)).backend).toBe('webgpu');
      expect(await gpuPage.page.$eval('#backend', (el) => el.textContent)).toMatch(/^Model on TF\.js webgpu: chosen by \?backend=webgpu/);
      // Both pages show the same still (the first shapes sample): every method's map must agree.
      const rows: { method: MethodName; l2: number; wasmClass: number; webgpuClass: number }[] = [];
      for (const method of methodsInAll()) {
        const [a, b] = [await probeWith(auto.page, method), await webgpuProbe(method)];
        expect(a.imageBase64, 'the two pages should explain the same image').toBe(b.imageBase64);
        rows.push({ method, l2: relativeL2(Float32Array.from(a.heatmap), Float32Array.from(b.heatmap)), wasmClass: a.explained.classIndex, webgpuClass: b.explained.classIndex });
      }
      console.log(`[fallback] wasm vs webgpu model pass, heatmap relative L2 per method: ${rows.map((r) => `${r.method} ${r.l2.toExponential(2)}`).join(', ')}`);
      for (const r of rows) {
        expect(r.wasmClass, r.method).toBe(r.webgpuClass);
        expect(r.l2, r.method).toBeLessThan(1e-5);
      }
      // A and G went to the engine by upload, and nothing came from outside the site (the .wasm files included).
      const after = await pageStatus(auto.page);
      expect(after.bridge.readBack).toBeGreaterThan(0);
      expect(after.bridge.zeroCopy).toBe(0);
      expect(outside).toEqual([]);
      expect(auto.errors).toEqual([]);
      expect(gpuPage.errors).toEqual([]);
    } finally {
      await auto.page.close();
    }
  }, 900_000);

  it('says so when ?backend= names no backend, and uses auto', async () => {
    const opened = await openPage('?backend=tpu');
    try {
      expect(await visibleText(opened.page, '#gpu-status')).toMatch(/\?backend=tpu is not one of auto, webgpu, wasm, webgl; using auto/);
      expect((await pageStatus(opened.page)).backend).toBe('wasm');
    } finally {
      await opened.page.close();
    }
  });
});

describe('the demo with the model on TF.js webgl (?backend=webgl)', () => {
  it('runs the model on webgl, draws with the WebGPU engine, says so, and gives the webgpu path’s heatmaps (relative L2 < 1e-5)', async () => {
    const webgl = await openPage('?backend=webgl');
    const gpuPage = await webgpuReferencePage();
    try {
      const status = await pageStatus(webgl.page);
      expect(status.backend).toBe('webgl');
      expect(status.overlay).toBe('webgpu');
      expect(status.sharedDevice).toBe(false);
      expect(await webgl.page.$eval('#backend', (el) => el.textContent)).toMatch(/^Model on TF\.js webgl: chosen by \?backend=webgl.*Overlay: WebGPU engine\.$/);
      const rows: { method: MethodName; l2: number; webglClass: number; webgpuClass: number }[] = [];
      for (const method of methodsInAll()) {
        const [a, b] = [await probeWith(webgl.page, method), await webgpuProbe(method)];
        expect(a.imageBase64, 'the two pages should explain the same image').toBe(b.imageBase64);
        rows.push({ method, l2: relativeL2(Float32Array.from(a.heatmap), Float32Array.from(b.heatmap)), webglClass: a.explained.classIndex, webgpuClass: b.explained.classIndex });
      }
      console.log(`[fallback] webgl vs webgpu model pass, heatmap relative L2 per method: ${rows.map((r) => `${r.method} ${r.l2.toExponential(2)}`).join(', ')}`);
      for (const r of rows) {
        expect(r.webglClass, r.method).toBe(r.webgpuClass);
        expect(r.l2, r.method).toBeLessThan(1e-5);
      }
      const after = await pageStatus(webgl.page);
      expect(after.bridge.readBack).toBeGreaterThan(0);
      expect(after.bridge.zeroCopy).toBe(0);
      expect(outside).toEqual([]);
      expect(webgl.errors).toEqual([]);
      expect(gpuPage.errors).toEqual([]);
    } finally {
      await webgl.page.close();
    }
  }, 900_000);
});

describe('the demo without WebGPU (navigator.gpu removed)', () => {
  it('classifies on TF.js wasm, draws the overlay on a 2-D canvas, and says so', async () => {
    const opened = await openPage('', () => {
      delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    });
    const { page } = opened;
    try {
      expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
      const status = await waitForFrames(page, 2);
      expect(status.backend).toBe('wasm');
      expect(status.overlay).toBe('canvas2d');
      expect(status.predictions).toHaveLength(5);
      expect(status.predictions.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(1, 3);
      expect(SHAPE_CLASSES).toContain(status.explained?.label);
      expect(await page.$eval('#backend', (el) => el.textContent)).toMatch(/^Model on TF\.js wasm .*no WebGPU here \(.*navigator\.gpu is missing.*\).*Overlay: 2-D canvas \(CPU\)\.$/);
      expect(await page.$eval('#adapter', (el) => el.textContent)).toMatch(/No WebGPU: the overlay is drawn on the CPU into a 2-D canvas/);
      expect(await page.$eval('#fatal', (el) => (el as HTMLElement).hidden)).toBe(true);
      // The canvas holds the overlay: the image's size, coloured by the map (not the plain image).
      const p = await probe(page);
      const drawn = await page.$eval('#output', (el) => {
        const canvas = el as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        return { width: canvas.width, height: canvas.height, pixels: Array.from(pixels) };
      });
      expect({ width: drawn.width, height: drawn.height }).toEqual(p.imageSize);
      const image = Buffer.from(p.imageBase64, 'base64');
      let changed = 0;
      for (let i = 0; i < image.length; i += 4) if (Math.abs(drawn.pixels[i]! - image[i]!) + Math.abs(drawn.pixels[i + 2]! - image[i + 2]!) > 24) changed += 1;
      expect(changed / (image.length / 4), 'share of pixels the overlay recoloured').toBeGreaterThan(0.3);
      expect(Math.max(...p.heatmap)).toBeCloseTo(1, 6);
      console.log(`[fallback] without WebGPU: ${status.explained?.label} (${status.explained?.probability.toFixed(3)}), frame ${status.timings?.total.toFixed(0)} ms on the CPU`);
      // Every method draws without an error, but those that need masked forward passes every frame (they say why).
      for (const method of methodsInAll()) {
        await page.select('#method', method);
        if (METHODS[method].needs === 'scores') {
          // Wait for this method's message: two score methods in a row leave the previous one's error up until the page reacts.
          await page.waitForFunction(
            (name) => {
              const message = document.querySelector('#frame-message');
              return message?.getAttribute('data-kind') === 'error' && (message.textContent ?? '').startsWith(`${name} `);
            },
            { timeout: 60_000 },
            method,
          );
          expect(await visibleText(page, '#frame-message')).toMatch(new RegExp(`^${method} is not offered without WebGPU`));
        } else {
          await waitForFrames(page, 2, { timeout: 120_000 });
          expect(await visibleText(page, '#frame-message'), method).toBeNull();
        }
      }
      expect(opened.errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
