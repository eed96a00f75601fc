import * as tf from '@tensorflow/tfjs';
import { CamEngine } from '@wgcam/core';
import { adapterKind, createNodeDevice, createNodeGpu, type AdapterKind, type NodeDevice } from './device.js';
import { BackendConflictError, BackendUnavailableError } from './errors.js';
import { checkModelBackend, chooseBackend, type ModelBackend, type ResolvedBackend } from './model-backend.js';
import { useTfjsWebGpu } from './tfjs-backend.js';
import { tfjsDevice } from './explain/gpu-context.js';
import { isDeviceLost } from './gpu-guard.js';

/** Whether an engine was neither destroyed nor saw its device lost. */
function engineUsable(engine: CamEngine): boolean {
  try {
    engine.assertUsable();
    return true;
  } catch {
    return false;
  }
}
import { useTfjsWasm, type WasmBackendInfo } from './tfjs-wasm.js';

/** Where a session's model pass runs, and the engine its maps are computed on. */
export interface ModelRuntime {
  readonly backend: ResolvedBackend;
  /** What the caller asked for ('auto' unless given). */
  readonly requested: ModelBackend;
  /** Why this backend: the adapter 'auto' saw, or that another session already chose it. */
  readonly reason: string;
  /**
   * The runtime's own engine: on webgpu on TF.js's device (zero copy), on wasm / cpu on
   * wgcam's own Dawn device. Undefined only for a runtime made by hand.
   */
  readonly engine: CamEngine | undefined;
  /** The TF.js webgpu device the model's weights live on when the backend is webgpu, else null. */
  readonly modelDevice: GPUDevice | null;
  /**
   * False once its engine was destroyed or a device it uses was lost: open a new runtime
   * (which makes new devices) and, when `modelDevice` was lost, load the model again.
   */
  usable(): boolean;
  /** On wasm: SIMD and threads. */
  readonly wasm: WasmBackendInfo | undefined;
  /** Lets go of the backend (the last holder lets another backend be chosen) and destroys the engine. */
  release(): void;
}

/** Options of openModelRuntime. */
export interface ModelRuntimeOptions {
  readonly backend?: ModelBackend | undefined;
  /** Use the SwiftShader adapter even when a GPU exists. */
  readonly software?: boolean | undefined;
}

type Prefer = 'auto' | 'software';

// TF.js has one backend per process: the one open runtimes share, and how many hold it.
let active: { backend: ResolvedBackend; holders: number } | null = null;
let queue: Promise<unknown> = Promise.resolve();
const probes = new Map<Prefer, Promise<{ kind: AdapterKind; description: string }>>();
const engineDevices = new Map<Prefer, Promise<NodeDevice>>();

/**
 * The adapter Dawn gives this process (hardware first, else SwiftShader), probed once.
 *
 * @example
 * const { kind, description } = await probeAdapter('auto');
 */
export function probeAdapter(prefer: Prefer): Promise<{ kind: AdapterKind; description: string }> {
  let probe = probes.get(prefer);
  if (!probe) {
    probe = createNodeGpu({ prefer }).then(({ adapter }) => ({ kind: adapterKind(adapter.info), description: adapter.info.description || adapter.info.device }));
    probe.catch(() => probes.delete(prefer));
    probes.set(prefer, probe);
  }
  return probe;
}

/** One Dawn device per process for engines beside a CPU backend (kept, like TF.js's own device; replaced once lost). */
async function engineDevice(prefer: Prefer): Promise<NodeDevice> {
  let device = engineDevices.get(prefer);
  if (device && isDeviceLost((await device.catch(() => null))?.device ?? null)) {
    engineDevices.delete(prefer);
    device = undefined;
  }
  if (!device) {
    device = createNodeDevice({ prefer });
    device.catch(() => engineDevices.delete(prefer));
    engineDevices.set(prefer, device);
  }
  return device;
}

async function resolve(requested: ModelBackend, prefer: Prefer): Promise<{ backend: ResolvedBackend; reason: string }> {
  if (requested === 'auto' && active) {
    return { backend: active.backend, reason: `another open session already runs TF.js on ${active.backend}, and TF.js has one backend per process` };
  }
  return chooseBackend(requested, await probeAdapter(prefer));
}

async function start(backend: ResolvedBackend, prefer: Prefer): Promise<WasmBackendInfo | undefined> {
  if (backend === 'webgpu') {
    await useTfjsWebGpu({ prefer });
    return undefined;
  }
  if (backend === 'wasm') return useTfjsWasm();
  if (tf.getBackend() !== 'cpu' && !(await tf.setBackend('cpu'))) throw new BackendUnavailableError("TF.js's cpu backend failed to start");
  await tf.ready();
  return undefined;
}

/**
 * Starts TF.js on the backend a session asks for ('auto': webgpu on a hardware GPU, wasm
 * on a software adapter) and, off webgpu, a CamEngine on wgcam's own Dawn device. The
 * backend is process-wide: while a runtime is held, a request for another backend throws
 * BackendConflictError and 'auto' follows the held one; after the last release another
 * backend may be chosen (models loaded earlier move their weights to it on first use).
 *
 * @example
 * const runtime = await openModelRuntime({ backend: 'auto' });
 * const explainer = new Explainer(model, runtime.engine ? { engine: runtime.engine } : {});
 * if (!runtime.usable()) runtime.release(); // then open a new one
 * // ...
 * explainer.dispose();
 * runtime.release();
 */
export async function openModelRuntime(options: ModelRuntimeOptions = {}): Promise<ModelRuntime> {
  const requested = checkModelBackend(options.backend);
  const prefer: Prefer = options.software ? 'software' : 'auto';
  // Opens run one at a time, so two sessions cannot race to different backends.
  const opening = queue.then(async (): Promise<ModelRuntime> => {
    const { backend, reason } = await resolve(requested, prefer);
    if (active && active.backend !== backend) {
      throw new BackendConflictError(
        `TF.js already runs on '${active.backend}' in this process for ${active.holders} open session(s), and tf.setBackend is global: ` +
          `a session on '${backend}' cannot run beside them. Ask for backend '${active.backend}' or 'auto', or dispose the other sessions ` +
          '(session.dispose() or closeExplainSessions()) first.',
      );
    }
    const wasm = await start(backend, prefer);
    // Every runtime owns its engine, so that destroying one never breaks another session.
    const modelDevice = backend === 'webgpu' ? tfjsDevice() : null;
    const engine = new CamEngine(modelDevice ?? (await engineDevice(prefer)).device);
    if (active) active.holders += 1;
    else active = { backend, holders: 1 };
    let released = false;
    return {
      backend,
      requested,
      reason,
      engine,
      wasm,
      modelDevice,
      usable: () => engineUsable(engine) && !isDeviceLost(engine.device) && (modelDevice === null || (tfjsDevice() === modelDevice && !isDeviceLost(modelDevice))),
      release: () => {
        if (released) return;
        released = true;
        engine.destroy();
        if (active && --active.holders === 0) active = null;
      },
    };
  });
  queue = opening.catch(() => undefined);
  return opening;
}

/**
 * Throws BackendConflictError when TF.js's active backend is no longer the runtime's
 * (someone called tf.setBackend after the session opened).
 *
 * @example
 * assertBackend(runtime); // before each explanation
 */
export function assertBackend(runtime: ModelRuntime): void {
  const current = tf.getBackend();
  if (current !== runtime.backend) {
    throw new BackendConflictError(
      `this session runs its model on TF.js '${runtime.backend}', but the process's TF.js backend is now '${current}' (tf.setBackend is global); ` +
        `call tf.setBackend('${runtime.backend}') back, or open the session after choosing the backend`,
    );
  }
}
