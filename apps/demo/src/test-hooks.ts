import * as tf from '@tensorflow/tfjs';
import { METHOD_NAMES, type MethodName, type PoolStats } from '@wgcam/core';
import { bridgeCounters } from '@wgcam/core/tfjs';
import type { DemoApp } from './app.js';
import type { Prediction } from './pipeline/live-explainer.js';
import type { StageTimings } from './pipeline/stage-clock.js';

/** What the page looks like to a test, as plain JSON. */
export interface DemoStatus {
  readonly frames: number;
  readonly fps: number;
  /** Device losses the page recovered from by itself. */
  readonly recoveries: number;
  readonly cameraOn: boolean;
  readonly backend: string;
  /** Where the overlay is drawn: 'webgpu' (the engine) or 'canvas2d' (CPU, no WebGPU). */
  readonly overlay: 'webgpu' | 'canvas2d';
  /** Whether TF.js's backend runs on the very GPUDevice the engine uses. */
  readonly sharedDevice: boolean;
  readonly timestamps: boolean;
  /** Tensors handed to the engine as GPU buffers vs read back to the CPU (should stay 0). */
  readonly bridge: { readonly zeroCopy: number; readonly readBack: number };
  /** How camera frames reach the GPU: 'direct' or through an ImageBitmap. */
  readonly videoPath: string | null;
  readonly model: string | null;
  readonly layer: string | null;
  readonly settings: DemoApp['currentSettings'];
  readonly predictions: readonly Prediction[];
  readonly explained: Prediction | null;
  readonly timings: StageTimings | null;
  readonly imageSize: { readonly width: number; readonly height: number } | null;
}

/** A frame's heatmap and the image under it, with the image as base64 RGBA. */
export interface DemoProbe {
  readonly heatmap: number[];
  readonly heatmapSize: { readonly width: number; readonly height: number };
  readonly imageBase64: string;
  readonly imageSize: { readonly width: number; readonly height: number };
  readonly peak: { readonly x: number; readonly y: number };
  /** The class this frame's heatmap explains. */
  readonly explained: Prediction;
}

/** GPU and TF.js memory counters at one moment. */
export interface MemorySnapshot {
  /** The engine's buffer pool (null without WebGPU). */
  readonly pool: PoolStats | null;
  readonly tensors: number;
  readonly tfjsBytesAllocated: number;
  readonly inputTextures: number;
  readonly inputBuffers: number;
}

/** The outcome of runFrames. */
export interface FramesRun {
  readonly frames: number;
  readonly milliseconds: number;
  /** After one warm-up frame per method. */
  readonly before: MemorySnapshot;
  readonly after: MemorySnapshot;
}

/** The test API the page exposes as `window.wgcam`. */
export interface DemoTestApi {
  status(): DemoStatus;
  probe(): Promise<DemoProbe>;
  runFrames(count: number, methods?: readonly MethodName[]): Promise<FramesRun>;
  /** Destroys the GPUDevice the page uses now, as a driver reset or a lost GPU would end it. */
  loseDevice(): void;
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function snapshot(app: DemoApp): MemorySnapshot {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  const counters = app.live?.counters;
  return {
    pool: app.gpu?.engine.poolStats() ?? null,
    tensors: memory.numTensors,
    tfjsBytesAllocated: memory.numBytesAllocatedInGPU ?? -1,
    inputTextures: counters?.inputTextures ?? 0,
    inputBuffers: counters?.inputBuffers ?? 0,
  };
}

/**
 * Exposes `window.wgcam` so browser tests can read the page's state, sample a frame's
 * heatmap, and run the per-frame pipeline many times back to back for leak checks. It
 * reads nothing back unless asked.
 *
 * @example
 * installTestHooks(app);
 * // in the test: await page.evaluate(() => window.wgcam.status().frames)
 */
export function installTestHooks(app: DemoApp): DemoTestApi {
  const api: DemoTestApi = {
    status() {
      const report = app.report;
      const live = app.live;
      return {
        frames: app.frames,
        fps: app.loop.fps,
        recoveries: app.recoveries,
        cameraOn: app.cameraOn,
        backend: tf.getBackend(),
        overlay: app.overlayPath,
        sharedDevice: app.gpu !== null && (tf.backend() as unknown as { device?: GPUDevice }).device === app.gpu.device,
        timestamps: live?.timesOnGpu ?? false,
        bridge: { zeroCopy: bridgeCounters.zeroCopy, readBack: bridgeCounters.readBack },
        videoPath: live?.videoPath ?? null,
        model: live?.loaded.source ?? null,
        layer: live?.layer ?? null,
        settings: app.currentSettings,
        predictions: report?.predictions ?? [],
        explained: report?.explained ?? null,
        timings: report?.timings ?? null,
        imageSize: report?.imageSize ?? null,
      };
    },
    async probe() {
      const live = app.live;
      if (!live) throw new Error('no model is loaded');
      const probe = await live.probeNextFrame();
      return { heatmap: [...probe.heatmap], heatmapSize: probe.heatmapSize, imageBase64: base64(probe.image), imageSize: probe.imageSize, peak: probe.peak, explained: probe.explained };
    },
    async runFrames(count, methods = METHOD_NAMES) {
      const live = app.live;
      const source = app.frameSource;
      if (!live || !source) throw new Error('no model or no frame source yet');
      await app.loop.stop();
      try {
        const frame = async (i: number): Promise<void> => {
          const report = await live.render(source, { ...app.currentSettings, method: methods[i % methods.length]! });
          if (!report) throw new Error('the source had no frame to render');
        };
        for (let i = 0; i < methods.length; i++) await frame(i);
        const before = snapshot(app);
        const started = performance.now();
        for (let i = 0; i < count; i++) await frame(i);
        return { frames: count, milliseconds: performance.now() - started, before, after: snapshot(app) };
      } finally {
        app.resume();
      }
    },
    loseDevice() {
      if (!app.gpu) throw new Error('this page runs without WebGPU: no device to lose');
      app.gpu.device.destroy();
    },
  };
  (window as unknown as { wgcam: DemoTestApi }).wgcam = api;
  return api;
}
