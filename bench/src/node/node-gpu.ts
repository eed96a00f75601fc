// Node: one Dawn device (with GPU timestamps when the adapter has them) shared by TF.js's
// WebGPU backend and the engine.
import { createNodeDevice, type NodeAdapterReport } from '@wgcam/node-adapter';
import { useDeviceForTf } from '../gpu/tf-queue.js';

/** The shared device and what the report says about it. */
export interface NodeGpu {
  readonly device: GPUDevice;
  readonly report: NodeAdapterReport;
  destroy(): void;
}

/**
 * Opens the device and makes TF.js run on it.
 *
 * @example
 * const { device, report } = await openNodeGpu();
 */
export async function openNodeGpu(): Promise<NodeGpu> {
  const node = await createNodeDevice({ features: ['timestamp-query'] });
  // TF.js's backend checks navigator.gpu before it will construct; Node has no navigator.gpu.
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  if (!scope.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true, writable: true });
  else if (!scope.navigator.gpu) Object.defineProperty(scope.navigator, 'gpu', { value: {}, configurable: true });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  await useDeviceForTf(node.device, node.adapter.info, WebGPUBackend);
  return { device: node.device, report: node.report, destroy: node.destroy };
}
