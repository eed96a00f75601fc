import * as tf from '@tensorflow/tfjs';
import { setGpuWait } from '@wgcam/core';
import { createNodeGpu, type NodeDeviceOptions } from './device.js';
import { throttledDawnWait } from './dawn-wait.js';
import { BackendUnavailableError } from './errors.js';
import { tfjsDevice } from './explain/gpu-context.js';
import { isDeviceLost, watchDevice } from './gpu-guard.js';

/**
 * Runs TF.js on its webgpu backend in Node, on Dawn (a hardware GPU, else SwiftShader),
 * so that models and wgcam share one GPUDevice and tensors never leave the GPU.
 * Idempotent: later calls only make 'webgpu' the active backend again.
 *
 * @example
 * await useTfjsWebGpu();
 * const model = await loadModel('models/shapes-cnn/model.json');
 */
export async function useTfjsWebGpu(options: NodeDeviceOptions = {}): Promise<void> {
  if (!tf.findBackend('webgpu')) {
    const { gpu } = await createNodeGpu(options);
    // The backend looks for navigator.gpu when it registers and initialises.
    const scope = globalThis as { navigator?: { gpu?: GPU } };
    if (!scope.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else if (!scope.navigator.gpu) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (tf.getBackend() !== 'webgpu') {
    const ok = await tf.setBackend('webgpu');
    if (!ok) throw new Error('TF.js could not initialise its webgpu backend on this adapter');
  }
  await tf.ready();
  if (isTfjsDeviceLost()) await renewTfjsWebGpu(options);
  // TF.js never listens for GPU errors; wgcam does, so that they fail the explanation instead of printing on stdout.
  const device = tfjsDevice();
  if (device) watchDevice(device);
  // wgcam's readbacks on it wait without Dawn's busy poll (see dawn-wait.ts).
  if (device) setGpuWait(device, throttledDawnWait);
}

/** Whether TF.js runs on webgpu and that backend's device was lost (destroyed, driver reset). */
export function isTfjsDeviceLost(): boolean {
  const device = tfjsDevice();
  return device !== null && isDeviceLost(device);
}

/**
 * Replaces TF.js's webgpu backend by one on a new Dawn device, after its device was lost.
 * Every tensor the old backend held is gone with it: models must be loaded again.
 *
 * @example
 * if (isTfjsDeviceLost()) { await renewTfjsWebGpu(); model = await loadModel(path); }
 */
export async function renewTfjsWebGpu(options: NodeDeviceOptions = {}): Promise<void> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.engine().registryFactory['webgpu']) tf.removeBackend('webgpu');
  // As the package's own factory does it, on Dawn's adapter.
  tf.registerBackend(
    'webgpu',
    async () => {
      const { adapter } = await createNodeGpu(options);
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      watchDevice(device);
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
  if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError('TF.js could not start its webgpu backend again on a new device after the old one was lost');
  await tf.ready();
}
