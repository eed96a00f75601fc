import * as tf from '@tensorflow/tfjs';
import type { Explainer } from '@wgcam/core/tfjs';
import type { RunSettings } from './settings.js';
import { checkGpuBudget } from './gpu-budget.js';
import { guardGpu } from '../gpu-guard.js';

/** The GPUDevice of TF.js's active backend when it is webgpu, else null. */
export function tfjsDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/** The devices one explanation touches: the engine's, and TF.js's when the model runs on webgpu. */
export function explanationDevices(explainer: Explainer): { devices: GPUDevice[]; modelOnGpu: boolean } {
  const model = tfjsDevice();
  const devices = [explainer.engine.device, ...(model ? [model] : [])];
  return { devices, modelOnGpu: model !== null };
}

/** Maps per image a run asks for: methods × targets. */
export function mapsPerImage(settings: RunSettings, methods: number): number {
  const target = settings.target;
  const targets = typeof target === 'object' && target !== null && 'topK' in target ? target.topK : 1;
  return Math.max(1, methods) * Math.max(1, targets);
}

/**
 * Runs one group's explanation with its GPU budget checked first (ImageTooLargeError) and
 * every GPU error or device loss meanwhile turned into a GpuError (see guardGpu).
 *
 * @example
 * const many = await explainOnGpu(explainer, images, settings, methods.length, () => explainer.explainMany(images, options));
 */
export async function explainOnGpu<T>(
  explainer: Explainer,
  image: { width: number; height: number },
  batch: number,
  settings: RunSettings,
  methods: number,
  work: () => Promise<T>,
): Promise<T> {
  const { devices, modelOnGpu } = explanationDevices(explainer);
  const maps = mapsPerImage(settings, methods);
  checkGpuBudget(devices[0]!.limits, { image, batch, heatmap: settings.size ?? image, maps, modelOnGpu });
  return guardGpu(devices, `explaining ${batch > 1 ? `${batch} images of ` : 'an image of '}${image.width}×${image.height}`, work);
}
