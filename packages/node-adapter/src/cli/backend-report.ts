import type { ModelRuntime } from '../model-runtime.js';
import type { WasmBackendInfo } from '../tfjs-wasm.js';

/** SIMD and threads of the wasm backend, in words. */
export function describeWasm(wasm: WasmBackendInfo): string {
  const threads = wasm.threads === 1 ? `1 thread (${wasm.threadsNote})` : `${wasm.threads || 'several'} threads`;
  return `wasm: SIMD ${wasm.simd ? 'on' : 'off (this runtime does not validate WebAssembly SIMD)'}, ${threads}`;
}

/**
 * One line saying where the model runs and why, for the `wgcam explain` header.
 *
 * @example
 * process.stdout.write(`${describeRuntime(session.runtime)}\n`); // "model backend wasm (auto: only a software adapter ...)"
 */
export function describeRuntime(runtime: ModelRuntime): string {
  const how = runtime.requested === 'auto' ? `auto: ${runtime.reason}` : runtime.reason;
  return `model backend ${runtime.backend} (${how})${runtime.wasm ? `; ${describeWasm(runtime.wasm)}` : ''}`;
}
