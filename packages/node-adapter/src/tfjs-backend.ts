import * as tf from '@tensorflow/tfjs';
import { createNodeGpu, type NodeDeviceOptions } from './device.js';
import { tfjsDevice } from './explain/gpu-context.js';
import { watchDevice } from './gpu-guard.js';

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
  // TF.js never listens for GPU errors; wgcam does, so that they fail the explanation instead of printing on stdout.
  const device = tfjsDevice();
  if (device) watchDevice(device);
}
