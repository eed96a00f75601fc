import type * as tfType from '@tensorflow/tfjs';

/** SwiftShader's Vulkan driver as shipped by Debian's chromium package (see DESIGN.md). */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Makes TF.js use its WebGPU backend in Node, on Dawn (npm `webgpu`). The backend only
 * registers itself if navigator.gpu exists when its module loads, so this installs Dawn's
 * WebGPU globals first and imports @tensorflow/tfjs-backend-webgpu afterwards. With no
 * hardware GPU, Dawn runs on SwiftShader: VK_ICD_FILENAMES is pointed at it unless already
 * set. Safe to call twice. Returns the tfjs module (the same instance the caller imports).
 *
 * @example
 * const tf = await initTfjsWebGpuBackend();
 * console.log(tf.getBackend()); // "webgpu"
 */
export async function initTfjsWebGpuBackend(): Promise<typeof tfType> {
  process.env['VK_ICD_FILENAMES'] ??= SWIFTSHADER_ICD;
  const tf = await import('@tensorflow/tfjs');
  if (!tf.findBackend('webgpu')) {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav === undefined) {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
    } else if (nav.gpu === undefined) {
      // Node ≥ 21 defines a navigator without gpu; add ours to it.
      Object.defineProperty(nav, 'gpu', { value: create([]), configurable: true });
    }
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('initTfjsWebGpuBackend: the webgpu backend failed to initialise');
  await tf.ready();
  return tf;
}
