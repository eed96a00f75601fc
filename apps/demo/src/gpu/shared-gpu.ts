import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { CamEngine } from '@wgcam/core';
import { createWebDevice, type WebDevice } from '@wgcam/web-adapter';
import type { ModelBackend } from './backend-choice.js';
import { useWasmBackend } from './tfjs-wasm.js';

/** The page's GPUDevice with the wgcam engine on it, and the TF.js backend that runs the model. */
export interface SharedGpu extends WebDevice {
  readonly engine: CamEngine;
  /** TF.js's backend: 'webgpu' on this very device (zero copy), or wasm / webgl (A and G uploaded once). */
  readonly modelBackend: ModelBackend;
  /** A line about the backend's build (wasm: SIMD and threads), or ''. */
  readonly backendNote: string;
}

/**
 * Creates the page's device with createWebDevice and builds the engine on it. With
 * `modelBackend` 'webgpu' (the default), TF.js's 'webgpu' backend runs on that very device
 * (tensors' GPU buffers are the engine's inputs, zero copy); with 'wasm' or 'webgl' TF.js
 * runs there and the engine takes activations and gradients by one upload.
 *
 * @example
 * const gpu = await createSharedGpu();
 * console.log((tf.backend() as unknown as { device: GPUDevice }).device === gpu.device); // true
 */
export async function createSharedGpu(modelBackend: ModelBackend = 'webgpu', device?: WebDevice): Promise<SharedGpu> {
  const web = device ?? (await openWebDevice());
  const backendNote = await useModelBackend(modelBackend, web);
  if (modelBackend === 'webgpu') {
    const backendDevice = (tf.backend() as unknown as { device?: GPUDevice }).device;
    if (backendDevice !== web.device) throw new Error('TF.js did not adopt the shared GPUDevice');
  }
  return { ...web, engine: new CamEngine(web.device), modelBackend, backendNote };
}

/** The page's WebGPU device (timestamp queries where the adapter has them). */
export function openWebDevice(): Promise<WebDevice> {
  return createWebDevice({ optionalFeatures: ['timestamp-query'] });
}

/**
 * Makes `backend` TF.js's active backend; for 'webgpu' on `web`'s device. Resolves with a
 * note on the backend's build (wasm: SIMD, threads).
 *
 * @example
 * await useModelBackend('wasm', null);
 */
export async function useModelBackend(backend: ModelBackend, web: WebDevice | null): Promise<string> {
  if (backend === 'wasm') {
    const info = await useWasmBackend();
    return `wasm ${info.simd ? 'with SIMD' : 'without SIMD'}, ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.threadsNote && info.threads <= 1 ? ` (${info.threadsNote})` : ''}`;
  }
  if (backend === 'webgl') {
    if (!(await tf.setBackend('webgl'))) throw new Error("TF.js's webgl backend failed to start (no WebGL here?)");
    await tf.ready();
    return '';
  }
  if (!web) throw new Error("TF.js's webgpu backend needs a WebGPU device");
  // Importing tfjs-backend-webgpu registered a 'webgpu' factory that would request a
  // second device of its own; replace it with one that wraps ours.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(web.device, web.adapterInfo), 10);
  if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js could not start its 'webgpu' backend on the page's device");
  await tf.ready();
  return '';
}
