// Launches the system Chromium with WebGPU on SwiftShader and a fake camera.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Flags that make headless Chromium usable for WebGPU without a GPU. `--enable-unsafe-webgpu`
 * alone gives compute, but presenting a WebGPU canvas then crashes the GPU process
 * ("Could not find SharedImageBackingFactory … WebgpuSwapChainTexture") and copies from a
 * video element fail: the compositor must run on SwiftShader's Vulkan too.
 */
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-gpu',
  '--ignore-gpu-blocklist',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

const QUIET_FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export interface LaunchedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fake camera: getUserMedia plays `fakeVideo` (a looping .y4m) or
 * Chromium's test pattern, and the permission prompt is accepted or, with
 * cameraPermission 'deny', refused.
 *
 * @example
 * const { browser, close } = await launchChromium({ fakeVideo: 'test-artifacts/shapes.y4m' });
 */
export async function launchChromium(options: { fakeVideo?: string; cameraPermission?: 'accept' | 'deny' } = {}): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'wgcam-chromium-'));
  const prompt = options.cameraPermission === 'deny' ? '--use-fake-ui-for-media-stream=deny' : '--use-fake-ui-for-media-stream';
  const camera = ['--use-fake-device-for-media-stream', prompt, ...(options.fakeVideo ? [`--use-file-for-fake-video-capture=${options.fakeVideo}`] : [])];
  const browser = await puppeteer.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [...QUIET_FLAGS, ...WEBGPU_FLAGS, ...camera, `--user-data-dir=${profile}`],
    protocolTimeout: 600_000,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
