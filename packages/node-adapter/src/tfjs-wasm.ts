import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fixWasmMaxPoolGrad } from '@wgcam/core/tfjs';
import { BackendUnavailableError } from './errors.js';

/** What the TF.js wasm backend runs with in this process. */
export interface WasmBackendInfo {
  /** Whether the SIMD build runs (WebAssembly SIMD validates in this runtime). */
  readonly simd: boolean;
  /** XNNPACK threads in use: 1 in Node (see `threadsNote`). */
  readonly threads: number;
  /** Why there are no more threads, or an empty string when threads run. */
  readonly threadsNote: string;
}

const BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

// TF.js 4.22's wasm backend answers WASM_HAS_MULTITHREAD_SUPPORT with false whenever it runs
// in Node, and its threaded build starts its workers from browser Blob URLs: forcing the flag
// makes the backend fail to initialise. So in Node the model pass runs on one thread.
const NODE_THREADS_NOTE =
  "TF.js's wasm backend runs single-threaded in Node: it turns its threaded build off there (tensorflow/tfjs#3830), and forcing it fails to start";

/** The folder holding the .wasm binaries that ship in the @tensorflow/tfjs-backend-wasm npm package. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  } catch (error) {
    throw new BackendUnavailableError("the TF.js wasm backend (npm package '@tensorflow/tfjs-backend-wasm') is not installed; run `npm ci` in the wgcam checkout", { cause: error });
  }
  const folder = join(root, 'dist');
  const missing = BINARIES.filter((name) => !existsSync(join(folder, name)));
  if (missing.length > 0) {
    throw new BackendUnavailableError(`the TF.js wasm binaries ${missing.join(', ')} are missing from ${folder}; reinstall with \`npm ci\`, or use backend 'cpu'`);
  }
  return folder;
}

let registered: Promise<typeof import('@tensorflow/tfjs-backend-wasm')> | null = null;

/** Registers the wasm backend with its binaries read from disk (nothing is fetched). */
function registerWasm(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')> {
  registered ??= (async () => {
    const folder = wasmBinaryFolder();
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${folder}/`);
    return wasm;
  })();
  return registered;
}

/**
 * What the wasm backend would run with, without starting it: SIMD support and threads.
 *
 * @example
 * const { simd, threads, threadsNote } = await wasmCapabilities();
 */
export async function wasmCapabilities(): Promise<WasmBackendInfo> {
  await registerWasm();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const threaded = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  return { simd, threads: threaded ? 0 : 1, threadsNote: threaded ? '' : NODE_THREADS_NOTE };
}

/**
 * Makes TF.js's wasm backend (XNNPACK, SIMD) the active backend, its .wasm binaries read
 * from the npm package on disk. Idempotent. The backend is global to the process.
 *
 * @example
 * const { simd, threads } = await useTfjsWasm();
 * const model = await loadModel('models/shapes-cnn/model.json');
 */
export async function useTfjsWasm(): Promise<WasmBackendInfo> {
  const wasm = await registerWasm();
  if (tf.getBackend() !== 'wasm') {
    let ok: boolean;
    try {
      ok = await tf.setBackend('wasm');
    } catch (error) {
      throw new BackendUnavailableError(`TF.js's wasm backend failed to start: ${(error as Error).message}; use backend 'cpu'`, { cause: error });
    }
    if (!ok) throw new BackendUnavailableError("TF.js's wasm backend failed to start (see the warning above); use backend 'cpu'");
  }
  await tf.ready();
  fixWasmMaxPoolGrad();
  const { simd, threadsNote } = await wasmCapabilities();
  const threads = wasm.getThreadsCount();
  return { simd, threads, threadsNote: threads > 1 ? '' : threadsNote };
}
