// The benchmark page's code (bundled by esbuild for headless Chromium): opens a WebGPU
// device with navigator.gpu, gives it to TF.js and the engine, and runs the same plan as
// Node. `wgcamBench(mode, heavy)` resolves to the results, which the Node side writes out.
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { useDeviceForTf } from '../gpu/tf-queue.js';
import { benchPlan, type BenchMode } from '../plan.js';
import type { BenchResults } from '../report/result-types.js';
import { runBenchmark } from '../runner.js';

/** The shapes CNN as the server exposes it. */
export const SHAPES_MODEL_URL = '/models/shapes-cnn/model.json';

interface BrowserGlobals {
  readonly navigator: { readonly gpu?: GPU; readonly userAgent: string; readonly hardwareConcurrency?: number };
  wgcamBench?: (mode: BenchMode, heavy: boolean) => Promise<BenchResults>;
}

const page = globalThis as unknown as BrowserGlobals;

function isSoftware(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return text.includes('swiftshader') || text.includes('llvmpipe') || text.includes('lavapipe');
}

async function openDevice(): Promise<{ device: GPUDevice; info: GPUAdapterInfo }> {
  const gpu = page.navigator.gpu;
  if (!gpu) throw new Error('navigator.gpu is missing: start Chromium with --enable-unsafe-webgpu and load the page from http://127.0.0.1');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null');
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({
    label: 'wgcam bench device',
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
    },
  });
  return { device, info: adapter.info };
}

async function loadShapes(): Promise<tf.LayersModel | null> {
  const probe = await fetch(SHAPES_MODEL_URL, { method: 'HEAD' });
  return probe.ok ? tf.loadLayersModel(SHAPES_MODEL_URL) : null;
}

page.wgcamBench = async (mode: BenchMode, heavy: boolean): Promise<BenchResults> => {
  const { device, info } = await openDevice();
  await useDeviceForTf(device, info, WebGPUBackend);
  const results = await runBenchmark({
    plan: benchPlan(mode, heavy),
    device,
    environment: {
      runtime: 'browser',
      adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
      software: isSoftware(info),
      // Node adds the Chromium version; the user agent says the rest.
      versions: {},
      platform: page.navigator.userAgent,
      cpus: page.navigator.hardwareConcurrency ?? null,
    },
    loadShapes,
    log: (line) => console.log(line),
  });
  device.destroy();
  return results;
};
