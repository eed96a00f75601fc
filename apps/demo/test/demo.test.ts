// The demo in headless Chromium: the built static site, the bundled model, a fake camera
// playing generated shapes video, and the page's window.wgcam hooks for state.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLORMAP_NAMES, DEFAULT_BINDING_LIMIT, METHODS, methodsInAll } from '@wgcam/core';
import { SHAPE_CLASSES, SHAPES_DATASET_SEEDS } from '@wgcam/shapes';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoProbe, FramesRun } from '../src/test-hooks.js';
import { buildSite, DEMO_ROOT } from './support/build-site.js';
import { launchChromium, type LaunchedBrowser } from './support/chromium.js';
import { judgePeak, peakCellOnMask, type PeakVerdict } from './support/heatmap-checks.js';
import { NodeReference, type ReferenceComparison } from './support/node-reference.js';
import { pageStatus, visibleText, waitForFrames } from './support/page-status.js';
import { writeSamplePng } from './support/sample-image.js';
import { writeShapesVideo, type ShapesVideo } from './support/shapes-video.js';
import { serveStatic, type StaticServer } from './support/static-server.js';
import { TINY_LABELS, writeTinyModel } from './support/tiny-model.js';

const ARTIFACTS = join(DEMO_ROOT, 'test-artifacts');
const SITE = join(ARTIFACTS, 'site');
const FIXTURES = join(ARTIFACTS, 'fixtures');
const MODELS_DIR = process.env['WGCAM_MODELS_DIR'] ?? join(DEMO_ROOT, '../../models');
/**
 * The trained shapes model is the demo's default. Until it is in models/, the page runs a
 * seeded untrained model from the fixtures instead: everything is tested except what
 * needs a trained model (the heatmap landing on the shape), which is skipped.
 */
// Under CI a missing bundled model fails the test instead of skipping it.
const TRAINED = existsSync(join(MODELS_DIR, 'shapes-cnn/model.json')) || Boolean(process.env['CI']);
const MODEL = TRAINED ? 'models/shapes-cnn/model.json' : 'fixtures/tiny/model.json';
const LABELS: readonly string[] = TRAINED ? SHAPE_CLASSES : TINY_LABELS;
/**
 * The fake camera's video: the shapes package's designated test video. The page is held
 * to the Node reference path on its frames, whatever the bundled model's own accuracy on
 * it (printed, not asserted).
 */
const VIDEO_SEED = SHAPES_DATASET_SEEDS.video;
/** Frames the page is compared with the reference on. */
const REFERENCE_FRAMES = 12;
/**
 * Two heatmap cells whose reference values differ by less than this are a tie: float32 on
 * the GPU may order them either way, so the page's peak may be either one.
 */
const PEAK_TIE = 1e-5;
/** The page's first model on disk (the built site's copy, or the fixture). */
const modelFile = (): string => (TRAINED ? join(SITE, MODEL) : join(ARTIFACTS, MODEL));
/** Mean squared luma difference (0–255 scale) below which a camera frame counts as matched to a video frame. */
const MATCH_LIMIT = 100;

interface ConsoleEntry {
  readonly type: string;
  readonly text: string;
}

let server: StaticServer;
let chromium: LaunchedBrowser;
let page: Page;
let video: ShapesVideo;
const consoleEntries: ConsoleEntry[] = [];

/** Console errors and uncaught exceptions, minus the 404s a test caused on purpose. */
function pageErrors(allow: RegExp[] = []): ConsoleEntry[] {
  return consoleEntries.filter((e) => (e.type === 'error' || e.type === 'pageerror') && !allow.some((re) => re.test(e.text)));
}

/**
 * Runs in the page before its scripts: records the size of every GPU buffer mapped for
 * reading, so a test can show that frames read back a few bytes (scores, status,
 * timestamps) and never pixels.
 */
function recordReadbacks(): void {
  const sizes: number[] = [];
  (window as unknown as { readbackSizes: number[] }).readbackSizes = sizes;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, mode: number, ...rest: [number?, number?]) {
    if (mode & 1) sizes.push(this.size);
    return mapAsync.call(this, mode, ...rest);
  };
}

function readbackSizes(target: Page): Promise<number[]> {
  return target.evaluate(() => (window as unknown as { readbackSizes: number[] }).readbackSizes);
}

async function openDemo(target: Page, query = ''): Promise<void> {
  await target.setViewport({ width: 1280, height: 900 });
  // The zero-copy path: TF.js webgpu on the page's device (auto would pick wasm on SwiftShader).
  const url = new URL(`${server.url}${query}`);
  url.searchParams.set('backend', 'webgpu');
  await target.goto(url.href, { waitUntil: 'load' });
}

beforeAll(async () => {
  mkdirSync(FIXTURES, { recursive: true });
  if (!TRAINED) console.warn(`${MODELS_DIR}/shapes-cnn/model.json is missing: testing with a seeded untrained model and skipping the heatmap-on-shape checks`);
  video = writeShapesVideo(join(ARTIFACTS, 'moving-shapes.y4m'), VIDEO_SEED, 90);
  await buildSite(SITE);
  await writeTinyModel(join(FIXTURES, 'tiny'));
  server = await serveStatic({ '/': SITE, '/fixtures/': FIXTURES });
  chromium = await launchChromium({ fakeVideo: video.path });
  page = await chromium.browser.newPage();
  page.on('console', (message) => consoleEntries.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => consoleEntries.push({ type: 'pageerror', text: error instanceof Error ? error.message : String(error) }));
  await page.evaluateOnNewDocument(recordReadbacks);
  await openDemo(page, TRAINED ? '' : `?model=${MODEL}`);
  await waitForFrames(page, 1, { after: 0, timeout: 120_000 });
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('the demo page', () => {
  it('loads without console errors, finds WebGPU, shares one GPUDevice with TF.js and runs the model', async () => {
    const status = await waitForFrames(page, 3, { after: 0, timeout: 90_000 });
    expect(await page.$eval('#fatal', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('body', (el) => el.dataset['status'])).toBe('running');
    expect(status.backend).toBe('webgpu');
    expect(status.sharedDevice).toBe(true);
    expect(status.model).toBe(MODEL);
    expect(status.layer).toBe('last_conv');
    expect(status.predictions).toHaveLength(Math.min(5, LABELS.length));
    expect(LABELS).toContain(status.explained?.label);
    expect(status.predictions.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(1, 3);
    expect(status.timings?.source).toBe('gpu');
    // Activations and gradients went to the engine as GPU buffers, never through the CPU…
    expect(status.bridge.readBack).toBe(0);
    expect(status.bridge.zeroCopy).toBeGreaterThan(0);
    // …and no frame read pixels back: only scores, a status word and timestamps.
    const sizes = await readbackSizes(page);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes), `buffers mapped for reading: ${[...new Set(sizes)].join(', ')} bytes`).toBeLessThanOrEqual(256);
    expect(await page.$eval('#adapter', (el) => el.textContent)).toMatch(/share one GPUDevice/);
    expect(await page.$$eval('#predictions li', (items) => items.length)).toBe(Math.min(5, LABELS.length));
    expect(pageErrors()).toEqual([]);
  });

  it('explains the fake camera continuously: 30 frames and more', async () => {
    await page.click('#start-camera');
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { cameraOn: boolean } } }).wgcam.status().cameraOn, { timeout: 30_000 });
    const start = await pageStatus(page);
    const started = Date.now();
    const status = await waitForFrames(page, 30, { after: start.frames, timeout: 120_000 });
    writeFileSync(join(ARTIFACTS, 'camera-rate.json'), JSON.stringify({ frames: status.frames - start.frames, seconds: (Date.now() - started) / 1000, fps: status.fps, timings: status.timings }, null, 2));
    expect(status.cameraOn).toBe(true);
    expect(status.imageSize).toEqual({ width: video.width, height: video.height });
    expect(status.videoPath, 'camera frames should be copied from the video element straight into a texture').toBe('direct');
    // The frames on the canvas change: two screenshots a few frames apart differ.
    const canvas = (await page.$('#output'))!;
    const before = Buffer.from(await canvas.screenshot());
    await waitForFrames(page, 3);
    const after = Buffer.from(await canvas.screenshot());
    expect(before.equals(after)).toBe(false);
    // What reached the GPU is a frame of the generated video (matched by luma thumbnails).
    const probe = await page.evaluate(() => (window as unknown as { wgcam: { probe(): Promise<DemoProbe> } }).wgcam.probe());
    expect(judgePeak(video, probe).matchError).toBeLessThan(MATCH_LIMIT);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-camera.png') });
    expect(pageErrors()).toEqual([]);
  });

  it('explains camera frames as the Node reference path does: same class, same heatmap peak (model accuracy printed)', async () => {
    const status = await pageStatus(page);
    const reference = await NodeReference.open(modelFile(), status.layer!);
    const rows: { verdict: PeakVerdict; comparison: ReferenceComparison }[] = [];
    try {
      for (let i = 0; i < REFERENCE_FRAMES; i++) {
        const probe = await page.evaluate(() => (window as unknown as { wgcam: { probe(): Promise<DemoProbe> } }).wgcam.probe());
        rows.push({ verdict: judgePeak(video, probe), comparison: await reference.compare(probe, status.settings.method) });
        await waitForFrames(page, 2);
      }
    } finally {
      reference.close();
    }
    writeFileSync(join(ARTIFACTS, 'camera-reference.json'), JSON.stringify(rows, null, 2));
    // Every probe matched a frame of the video (the camera really plays it), and the frames differ.
    for (const { verdict: v } of rows) expect(v.matchError, `frame ${v.frame} matched poorly`).toBeLessThan(MATCH_LIMIT);
    expect(new Set(rows.map((r) => r.verdict.frame)).size, 'probes should see different video frames').toBeGreaterThan(3);
    // What the page owns: the same class and the same hottest cell as the reference path.
    for (const { verdict: v, comparison: c } of rows) {
      const where = `video frame ${v.frame}: ${JSON.stringify(c)}`;
      expect(c.pageClass, where).toBe(c.referenceClass);
      if (c.pageCell !== c.referenceCell) expect(c.referenceMax - c.referenceAtPageCell, `peak differs, not a tie: ${where}`).toBeLessThan(PEAK_TIE);
    }
    // The model's own accuracy on this video: a figure, not an assertion.
    const classRight = rows.filter((r) => LABELS[r.comparison.pageClass] === r.verdict.className).length;
    const onShape = rows.filter((r) => r.verdict.onShape).length;
    const worstL2 = Math.max(...rows.map((r) => r.comparison.heatmapRelativeL2));
    const ties = rows.filter((r) => r.comparison.pageCell !== r.comparison.referenceCell).length;
    console.log(`[demo] video ${VIDEO_SEED}, ${rows.length} camera frames: page = Node reference in class and peak (${ties} ties); model: class right ${classRight}/${rows.length}, heatmap peak on the shape ${onShape}/${rows.length}; page vs reference heatmap relative L2 ≤ ${worstL2.toExponential(2)}`);
    expect(pageErrors()).toEqual([]);
  });

  it('switches between every method while running', async () => {
    for (const method of methodsInAll()) {
      await page.select('#method', method);
      // The frame in flight may have begun with the previous method; the next one uses this one.
      const status = await waitForFrames(page, 2);
      expect(status.settings.method).toBe(method);
      expect(await visibleText(page, '#frame-message'), `${method} reported an error`).toBeNull();
    }
    await page.select('#method', 'gradcam++');
    expect(pageErrors()).toEqual([]);
  });

  it('draws each colormap differently, compared on a still input', async () => {
    await page.select('#method', 'gradcam++');
    // On a still input (the camera off: back to the shapes sample), so that only the colormap changes.
    await page.click('#stop-camera');
    await page.waitForFunction(() => !(window as unknown as { wgcam: { status(): { cameraOn: boolean } } }).wgcam.status().cameraOn, { timeout: 30_000 });
    await waitForFrames(page, 2);
    // The frame counter drawn over the canvas changes every frame: hide it while comparing.
    const hudHidden = await page.addStyleTag({ content: '.hud { visibility: hidden; }' });
    const canvas = (await page.$('#output'))!;
    const shot = async (colormap: string): Promise<string> => {
      await page.select('#colormap', colormap);
      await waitForFrames(page, 2);
      expect((await pageStatus(page)).settings.colormap).toBe(colormap);
      return Buffer.from(await canvas.screenshot({ path: join(ARTIFACTS, `colormap-${colormap}.png`) })).toString('base64');
    };
    const crops = new Map<string, string>();
    for (const colormap of COLORMAP_NAMES) crops.set(colormap, await shot(colormap));
    // The input is still: the first colormap again draws the very same pixels…
    expect(await shot(COLORMAP_NAMES[0]!), 'the same colormap on the still image drew different pixels').toBe(crops.get(COLORMAP_NAMES[0]!));
    // …so each colormap's different picture comes from the colormap alone.
    expect(new Set(crops.values()).size).toBe(COLORMAP_NAMES.length);
    await hudHidden.evaluate((style) => style.remove());
    await page.select('#colormap', 'jet');
    expect(pageErrors()).toEqual([]);
  });

  it('explains a chosen class and a chosen layer', async () => {
    await page.select('#target', '1');
    await waitForFrames(page, 2);
    expect((await waitForFrames(page, 1)).explained?.classIndex).toBe(1);
    await page.select('#layer', 'conv1');
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { layer: string | null } } }).wgcam.status().layer === 'conv1', { timeout: 30_000 });
    await waitForFrames(page, 2);
    expect(await visibleText(page, '#frame-message')).toBeNull();
    await page.select('#layer', '');
    await page.select('#target', 'top1');
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { layer: string | null } } }).wgcam.status().layer === 'last_conv', { timeout: 30_000 });
    await waitForFrames(page, 2);
    expect(pageErrors()).toEqual([]);
  });

  it('shows an error for a bad model URL and keeps explaining with the current model', async () => {
    await page.$eval('#model-url', (el) => ((el as HTMLInputElement).value = 'models/no-such-model/model.json'));
    await page.click('#load-model');
    await page.waitForFunction(() => document.querySelector('#model-message')?.getAttribute('data-kind') === 'error', { timeout: 30_000 });
    const message = await visibleText(page, '#model-message');
    expect(message).toMatch(/Model not loaded: no model\.json at .*no-such-model\/model\.json \(HTTP 404/);
    expect(message).toMatch(/still using the previous model/);
    const status = await waitForFrames(page, 5);
    expect(status.model).toBe(MODEL);
    expect(pageErrors([/Failed to load resource: the server responded with a status of 404/])).toEqual([]);
  });

  it('explains an opened image file as the Node reference path does (the model on it printed)', async () => {
    const sample = writeSamplePng(join(FIXTURES, 'sample.png'), 31, 200);
    const input = (await page.$('input#image-file'))!;
    await input.uploadFile(sample.path);
    await page.waitForFunction((size: number) => (window as unknown as { wgcam: { status(): { imageSize: { width: number } | null; cameraOn: boolean } } }).wgcam.status().imageSize?.width === size, { timeout: 30_000 }, sample.size);
    const status = await waitForFrames(page, 2);
    expect(status.cameraOn).toBe(false);
    const probe = await page.evaluate(() => (window as unknown as { wgcam: { probe(): Promise<DemoProbe> } }).wgcam.probe());
    expect(probe.imageSize).toEqual({ width: sample.size, height: sample.size });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-image.png') });
    const status2 = await pageStatus(page);
    const reference = await NodeReference.open(modelFile(), status2.layer!);
    try {
      const c = await reference.compare(probe, status2.settings.method);
      expect(c.pageClass, JSON.stringify(c)).toBe(c.referenceClass);
      if (c.pageCell !== c.referenceCell) expect(c.referenceMax - c.referenceAtPageCell, `peak differs, not a tie: ${JSON.stringify(c)}`).toBeLessThan(PEAK_TIE);
      console.log(`[demo] image ${sample.className}: page = reference; model says ${LABELS[c.pageClass]}, peak ${peakCellOnMask(probe, sample.mask) ? 'on' : 'off'} the shape; heatmap relative L2 ${c.heatmapRelativeL2.toExponential(2)}`);
    } finally {
      reference.close();
    }
  });

  it("loads a user's own model from dropped files and by URL, with its labels", async () => {
    const files = (await page.$('input#model-files'))!;
    await files.uploadFile(...['model.json', 'weights.bin', 'labels.json'].map((f) => join(FIXTURES, 'tiny', f)));
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { model: string | null } } }).wgcam.status().model === 'model.json', { timeout: 30_000 });
    expect((await waitForFrames(page, 2)).predictions.map((p) => p.label).sort()).toEqual([...TINY_LABELS].sort());

    await page.$eval('#model-url', (el) => ((el as HTMLInputElement).value = 'fixtures/tiny/model.json'));
    await page.click('#load-model');
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { model: string | null } } }).wgcam.status().model === 'fixtures/tiny/model.json', { timeout: 30_000 });
    const status = await waitForFrames(page, 3);
    expect(status.predictions.map((p) => p.label).sort()).toEqual([...TINY_LABELS].sort());
    expect(await page.$$eval('#target option', (options) => options.map((o) => o.textContent))).toEqual(['Top-1 prediction', ...TINY_LABELS]);
    expect(await visibleText(page, '#model-message')).toBeNull();
    expect(pageErrors([/Failed to load resource: the server responded with a status of 404/])).toEqual([]);
  });

  it('keeps GPU memory flat over 1000 frames: no new engine buffers, TF.js tensors or input objects', async () => {
    // Camera frames through the small fixture model loaded by the previous test: the
    // per-frame code is the same for any model, and on SwiftShader the bundled one would
    // make 1000 frames take minutes longer. Every method without masked passes for 1000 frames,
    // then the score-based methods the demo offers (a batch of masked or ablated passes per frame) for a few more.
    await page.click('#start-camera');
    await page.waitForFunction(() => (window as unknown as { wgcam: { status(): { cameraOn: boolean } } }).wgcam.status().cameraOn, { timeout: 30_000 });
    const everyFrame = methodsInAll().filter((m) => METHODS[m].needs !== 'scores');
    const run = (frames: number, methods: readonly string[]): Promise<FramesRun> =>
      page.evaluate((n, m) => (window as unknown as { wgcam: { runFrames(n: number, m: readonly string[]): Promise<FramesRun> } }).wgcam.runFrames(n, m), frames, methods);
    const runs = { everyFrame: await run(1000, everyFrame), scoreCam: await run(4, methodsInAll().filter((m) => METHODS[m].needs === 'scores')) };
    writeFileSync(join(ARTIFACTS, 'memory-run.json'), JSON.stringify(runs, null, 2));
    for (const [name, r] of Object.entries(runs)) {
      const label = `${name} (${r.frames} frames)`;
      // Buffers and uniform buffers: none new. Bind groups are cached per (layout, buffers);
      // those over the buffers TF.js hands over (zero copy) are new whenever TF.js gives a
      // buffer it did not give before, so they are held to the cache's bound, and in the
      // 1000-frame steady state to far fewer than one per frame (the 4-frame run is the
      // score-based methods' first frames on this model); their growth is printed.
      const { bindGroupsCreated: createdBefore, bindGroups: _heldBefore, ...buffersBefore } = r.before.pool!;
      const { bindGroupsCreated: createdAfter, bindGroups: heldAfter, ...buffersAfter } = r.after.pool!;
      expect(buffersAfter, label).toEqual(buffersBefore);
      expect(heldAfter, label).toBeLessThanOrEqual(DEFAULT_BINDING_LIMIT);
      if (r === runs.everyFrame) expect(createdAfter - createdBefore, label).toBeLessThan(r.frames / 10);
      console.log(`${label}: bind groups created ${createdBefore} -> ${createdAfter}`);
      expect(r.after.tensors, label).toBe(r.before.tensors);
      expect(r.after.tfjsBytesAllocated, label).toBe(r.before.tfjsBytesAllocated);
      expect(r.after.inputTextures, label).toBe(r.before.inputTextures);
      expect(r.after.inputBuffers, label).toBe(r.before.inputBuffers);
    }
    expect(runs.everyFrame.frames).toBe(1000);
    await waitForFrames(page, 2); // the live loop resumed
  }, 900_000);
});

describe('the demo on a GPU without timestamp queries', () => {
  it('times each stage on the CPU instead', async () => {
    const other = await chromium.browser.newPage();
    try {
      await openDemo(other, `?cpu-timings${TRAINED ? '' : `&model=${MODEL}`}`);
      const status = await waitForFrames(other, 3, { after: 0, timeout: 90_000 });
      expect(status.timings?.source).toBe('cpu');
      for (const stage of ['input', 'model', 'cam', 'draw'] as const) expect([stage, Number.isFinite(status.timings?.[stage]) && status.timings![stage]! >= 0]).toEqual([stage, true]);
      // Stages that ran took time: a model pass or CAM kernels timed at 0 ms were not timed at all.
      expect(status.timings?.model).toBeGreaterThan(0);
      expect(status.timings?.cam).toBeGreaterThan(0);
      expect(await other.$eval('#time-source', (el) => el.textContent)).toMatch(/No GPU timestamp queries in use: CPU wall clock/);
    } finally {
      await other.close();
    }
  });
});

describe('the demo with camera permission denied', () => {
  it('says so clearly and keeps explaining the still image', async () => {
    const denied = await launchChromium({ cameraPermission: 'deny' });
    try {
      const other = await denied.browser.newPage();
      await openDemo(other, TRAINED ? '' : `?model=${MODEL}`);
      await waitForFrames(other, 2, { after: 0, timeout: 90_000 });
      await other.click('#start-camera');
      await other.waitForFunction(() => document.querySelector('#camera-message')?.getAttribute('data-kind') === 'error', { timeout: 30_000 });
      expect(await visibleText(other, '#camera-message')).toMatch(/Camera permission was denied\. Allow camera access/);
      expect(await other.$eval('#start-camera', (el) => (el as HTMLButtonElement).disabled)).toBe(false);
      const status = await waitForFrames(other, 2);
      expect(status.cameraOn).toBe(false);
    } finally {
      await denied.close();
    }
  });
});
