import type * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { STORAGE_USAGE } from '../gpu/flags.js';
import { bridgeTensor, type BridgedTensor } from './tensor-bridge.js';

/**
 * Hands a tensor to the engine for several computes: its GPU buffer when TF.js shares the
 * engine's device (zero copy), else its values uploaded once into a pooled GPU buffer, so
 * that every compute reading it uses the same buffer instead of uploading it again.
 * `release()` returns the buffer to the pool; call it after the computes' results are read.
 *
 * @example
 * const a = await sharedOnDevice(activations, engine);
 * const r1 = engine.compute({ method: 'gradcam', activations: a.source, gradients, size });
 * const r2 = engine.compute({ method: 'gradcam++', activations: a.source, gradients, size });
 * await Promise.all([r1.read(), r2.read()]);
 * a.release();
 */
export async function sharedOnDevice(tensor: tf.Tensor, engine: CamEngine, label: string): Promise<BridgedTensor> {
  const bridged = await bridgeTensor(tensor, engine.device);
  const { data, shape } = bridged.source;
  if (!(data instanceof Float32Array)) return bridged;
  const buffer = engine.pool.acquire(data.byteLength, STORAGE_USAGE, label);
  engine.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  bridged.release();
  return { source: { data: buffer, shape }, release: () => engine.pool.release(buffer) };
}
