import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { CamEngine } from '@wgcam/core';
import { createWebDevice, type WebDevice } from '@wgcam/web-adapter';

/** The page's one GPUDevice, shared by TF.js (its 'webgpu' backend) and the wgcam engine. */
export interface SharedGpu extends WebDevice {
  readonly engine: CamEngine;
}

/**
 * Creates the page's device with createWebDevice, makes TF.js's 'webgpu' backend run on
 * that very device (so tensors' GPU buffers are the engine's inputs, zero copy), and
 * builds the engine on it.
 *
 * @example
 * const gpu = await createSharedGpu();
 * console.log((tf.backend() as unknown as { device: GPUDevice }).device === gpu.device); // true
 */
export async function createSharedGpu(): Promise<SharedGpu> {
  const web = await createWebDevice({ optionalFeatures: ['timestamp-query'] });

  // Importing tfjs-backend-webgpu registered a 'webgpu' factory that would request a
  // second device of its own; replace it with one that wraps ours.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(web.device, web.adapterInfo), 10);
  if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js could not start its 'webgpu' backend on the page's device");
  await tf.ready();
  const backendDevice = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (backendDevice !== web.device) throw new Error('TF.js did not adopt the shared GPUDevice');
  return { ...web, engine: new CamEngine(web.device) };
}
