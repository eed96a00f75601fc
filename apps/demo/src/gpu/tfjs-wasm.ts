import * as tf from '@tensorflow/tfjs';
// The .wasm binaries are emitted into the built site by Vite (?url): nothing is fetched from a CDN.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { fixWasmMaxPoolGrad } from '@wgcam/core/tfjs';

/** How TF.js's wasm backend runs on this page. */
export interface WasmInfo {
  readonly simd: boolean;
  readonly threads: number;
  /** Why there is only one thread, or ''. */
  readonly threadsNote: string;
}

/**
 * Makes TF.js's wasm backend (XNNPACK) the active one, its binaries served from the site
 * itself. The backend module is loaded only here, so pages on TF.js webgpu never fetch it.
 * MaxPoolGrad is replaced by a correct kernel (TF.js 4.22's wasm one drops the gradient of
 * windows whose maximum is ≤ 0, which changes Grad-CAM).
 *
 * @example
 * const { simd, threads } = await useWasmBackend();
 */
export async function useWasmBackend(): Promise<WasmInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  // TF.js 4.22's threaded build starts its workers from the source text of its module factory
  // (`factory.toString()`), which a bundler has rewritten to use names only the bundle
  // defines: on a cross-origin isolated page every worker then throws ("e is not defined")
  // and the backend never starts. So the demo keeps wasm to one thread, isolated or not.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error("TF.js's wasm backend failed to start");
  await tf.ready();
  fixWasmMaxPoolGrad();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const threads = wasm.getThreadsCount();
  const threadsNote = threads > 1 ? '' : "one thread: TF.js's threaded wasm build does not start once bundled";
  return { simd, threads, threadsNote };
}
