import { InvalidInputError } from '@wgcam/core';
import type { AdapterKind } from './device.js';

/** The TF.js backends the model pass can run on in Node. */
export const MODEL_BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

/**
 * Where TF.js runs the model: 'webgpu' (on the engine's own Dawn device, zero copy),
 * 'wasm' (XNNPACK on the CPU, SIMD), 'cpu' (plain JS), or 'auto' (webgpu with a hardware
 * GPU adapter, wasm with only a software one).
 */
export type ModelBackend = (typeof MODEL_BACKENDS)[number];

/** A backend TF.js actually runs on: never 'auto'. */
export type ResolvedBackend = Exclude<ModelBackend, 'auto'>;

/**
 * Whether `name` is one of MODEL_BACKENDS.
 *
 * @example
 * if (!isModelBackend(flag)) throw new Error(`unknown backend ${flag}`);
 */
export function isModelBackend(name: unknown): name is ModelBackend {
  return typeof name === 'string' && (MODEL_BACKENDS as readonly string[]).includes(name);
}

/**
 * Checks a backend option: undefined means 'auto'; anything not in MODEL_BACKENDS is an
 * InvalidInputError naming the choices.
 *
 * @example
 * const backend = checkModelBackend(options.backend); // 'auto' | 'webgpu' | 'wasm' | 'cpu'
 */
export function checkModelBackend(name: unknown): ModelBackend {
  if (name === undefined) return 'auto';
  if (!isModelBackend(name)) throw new InvalidInputError(`unknown backend '${String(name)}'; use one of ${MODEL_BACKENDS.join(', ')}`);
  return name;
}

/** A backend and why it was picked. */
export interface BackendChoice {
  readonly backend: ResolvedBackend;
  readonly reason: string;
}

/**
 * What 'auto' picks on an adapter, and why: webgpu on a hardware GPU, wasm on a software
 * adapter (where TF.js webgpu runs ResNet50 at 224² in 60–95 s and wasm in about 0.5 s).
 *
 * @example
 * chooseBackend('auto', { kind: 'software', description: 'SwiftShader Device' }).backend; // 'wasm'
 */
export function chooseBackend(requested: ModelBackend, adapter: { readonly kind: AdapterKind; readonly description: string }): BackendChoice {
  const name = adapter.description || 'unnamed adapter';
  if (requested !== 'auto') return { backend: requested, reason: `chosen explicitly; the adapter is ${name}, ${adapter.kind}` };
  if (adapter.kind === 'hardware') {
    return { backend: 'webgpu', reason: `hardware GPU adapter (${name}): the model runs on TF.js webgpu on the engine's own device, with no copies` };
  }
  return {
    backend: 'wasm',
    reason:
      `only a software adapter (${name}): TF.js webgpu on it is ~100× slower than TF.js wasm ` +
      '(ResNet50 at 224²: 60–95 s vs ~0.5 s per image), so the model runs on wasm and the engine stays on WebGPU, taking A and G by one upload',
  };
}
