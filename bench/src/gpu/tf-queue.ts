// TF.js's WebGPU backend records ops into its own command encoder and submits lazily; a
// timed span must end with that encoder submitted, or the span would stop before the work.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * Submits whatever TF.js's WebGPU backend has recorded but not yet submitted.
 *
 * @example
 * const y = model.predict(x); submitTfWork(); await device.queue.onSubmittedWorkDone();
 */
export function submitTfWork(): void {
  const backend = tf.backend() as WebGPUBackend;
  if (typeof backend.submitQueue !== 'function') throw new Error(`TF.js backend '${tf.getBackend()}' is not the WebGPU backend`);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/**
 * A tensor's GPU buffer for the engine (a copy TF.js makes on the GPU) and a release
 * function; a tensor still on the CPU is uploaded first.
 *
 * @example
 * const { buffer, release } = tensorBuffer(A); engine.compute({ ..., activations: { data: buffer, shape } }); release();
 */
export function tensorBuffer(tensor: tf.Tensor): { buffer: GPUBuffer; release: () => void } {
  // Small tensors made on the CPU (weights, small op results) stay there until a GPU op needs them.
  (tf.backend() as WebGPUBackend).uploadToGPU(tensor.dataId);
  const data = tensor.dataToGPU();
  if (!data.buffer) throw new Error('dataToGPU returned no GPUBuffer: is the TF.js backend webgpu?');
  return { buffer: data.buffer, release: () => data.tensorRef.dispose() };
}

/**
 * Makes TF.js's WebGPU backend use `device`, so TF.js and the engine share one GPUDevice
 * and tensors reach the engine without leaving the GPU. Works in Node (Dawn) and browsers.
 *
 * @example
 * await useDeviceForTf(device, adapter.info);
 */
export async function useDeviceForTf(device: GPUDevice, adapterInfo: GPUAdapterInfo | undefined, Backend: typeof WebGPUBackend): Promise<void> {
  // Kernels are registered under the name 'webgpu', so the shared backend must take that name.
  // (findBackendFactory, not findBackend, which would initialise the default factory.)
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new Backend(device, adapterInfo));
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not initialise its WebGPU backend on the shared device');
  await tf.ready();
}
