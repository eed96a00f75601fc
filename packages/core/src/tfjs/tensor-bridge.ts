import * as tf from '@tensorflow/tfjs';
import type { TensorSource } from '../inputs.js';
import { TfjsVersionError } from './errors.js';

/** A TF.js tensor handed to the engine, and how to let go of it afterwards. */
export interface BridgedTensor {
  readonly source: TensorSource;
  release(): void;
}

interface WebGpuBackendLike {
  readonly device: GPUDevice;
  readonly commandEncoder?: GPUCommandEncoder | null;
  endComputePassEncoder?(): void;
  submitQueue?(): void;
}

/** The GPUDevice of the active TF.js backend when it is 'webgpu', else null. */
export function backendDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as WebGpuBackendLike).device ?? null;
}

/** Submits TF.js's recorded GPU work so that work submitted next by the engine is ordered after it. */
export function flushBackend(): void {
  if (tf.getBackend() !== 'webgpu') return;
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  // The backend records into one encoder and submits lazily; an empty one has nothing to submit.
  if (!('commandEncoder' in backend)) throw new TfjsVersionError("webgpu backend's commandEncoder");
  if (!backend.commandEncoder) return;
  // Private members: a TF.js that renamed them would leave TF.js's work unsubmitted and the maps wrong, so stop instead.
  if (typeof backend.endComputePassEncoder !== 'function') throw new TfjsVersionError("webgpu backend's endComputePassEncoder()");
  if (typeof backend.submitQueue !== 'function') throw new TfjsVersionError("webgpu backend's submitQueue()");
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** Counts of the data paths taken, for tests and the benchmark's honesty. */
export const bridgeCounters = { zeroCopy: 0, readBack: 0 };

/**
 * Hands a float32 tensor to an engine on `device`: its GPU buffer when TF.js runs on the
 * same device (no CPU round trip), else its values read back once.
 *
 * @example
 * const a = await bridgeTensor(activations, engine.device);
 * engine.compute({ method: 'gradcam', activations: a.source, ... });
 * a.release();
 */
export async function bridgeTensor(tensor: tf.Tensor, device: GPUDevice): Promise<BridgedTensor> {
  if (backendDevice() === device) {
    // Tensors made from CPU values (e.g. loaded weights) live on the CPU until first used.
    const backend = tf.backend() as unknown as { uploadToGPU?(dataId: object): void };
    if (typeof backend.uploadToGPU !== 'function') throw new TfjsVersionError("webgpu backend's uploadToGPU()");
    backend.uploadToGPU(tensor.dataId);
    const gpu = tensor.dataToGPU();
    if (gpu.buffer) {
      bridgeCounters.zeroCopy += 1;
      return { source: { data: gpu.buffer, shape: tensor.shape }, release: () => gpu.tensorRef.dispose() };
    }
    gpu.tensorRef.dispose();
  }
  bridgeCounters.readBack += 1;
  const data = (await tensor.data()) as Float32Array;
  return { source: { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: tensor.shape }, release: () => {} };
}
