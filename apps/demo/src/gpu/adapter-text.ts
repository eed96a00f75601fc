import type { SharedGpu } from './shared-gpu.js';

/**
 * One line about the adapter the page runs on, for the header.
 *
 * @example
 * ui.adapter.textContent = describeAdapter(gpu); // 'Google SwiftShader … — TF.js and wgcam share one GPUDevice'
 */
export function describeAdapter(gpu: SharedGpu): string {
  const info = gpu.adapterInfo;
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const sharing = gpu.modelBackend === 'webgpu' ? 'TF.js and wgcam share one GPUDevice' : `wgcam engine on this device, the model on TF.js ${gpu.modelBackend}`;
  return `${name} — ${sharing}${gpu.timestamps ? '; GPU timestamps on' : ''}`;
}
