import { WebGpuUnavailableError, type WebDevice } from '@wgcam/web-adapter';
import { DemoApp } from './app.js';
import { describeAdapter } from './gpu/adapter-text.js';
import { chooseBackend, isSoftwareAdapter, parseBackendQuery, type WebGpuProbe } from './gpu/backend-choice.js';
import { createSharedGpu, openWebDevice, useModelBackend, type SharedGpu } from './gpu/shared-gpu.js';
import { findElements, type DemoElements } from './ui/elements.js';
import { errorText, showMessage } from './ui/messages.js';
import { installTestHooks } from './test-hooks.js';

/** The bundled shapes classifier, relative to the page (served from the repo's models/). */
const BUNDLED_MODEL_URL = 'models/shapes-cnn/model.json';

function showFatal(ui: DemoElements, title: string, error: unknown): void {
  ui.fatal.textContent = `${title}\n${errorText(error)}`;
  ui.fatal.hidden = false;
  if (error instanceof WebGpuUnavailableError) ui.fatal.dataset['reason'] = error.reason;
  document.body.dataset['status'] = 'fatal';
}

/** The page's WebGPU device when there is one, and what the backend choice needs to know. */
async function probeWebGpu(): Promise<{ web: WebDevice | null; probe: WebGpuProbe }> {
  try {
    const web = await openWebDevice();
    const info = web.adapterInfo as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
    const fallback = (web.adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
    return { web, probe: { available: true, name, software: isSoftwareAdapter(info, fallback) } };
  } catch (error) {
    return { web: null, probe: { available: false, name: '', software: false, problem: errorText(error) } };
  }
}

async function main(): Promise<void> {
  const ui = findElements(document);
  const query = new URLSearchParams(location.search);
  const requested = parseBackendQuery(query);
  const { web, probe } = await probeWebGpu();
  const choice = chooseBackend(requested.backend, probe);
  let gpu: SharedGpu | null = null;
  let note: string;
  try {
    if (web) {
      gpu = await createSharedGpu(choice.backend, web);
      note = gpu.backendNote;
      ui.adapter.textContent = describeAdapter(gpu);
    } else {
      note = await useModelBackend(choice.backend, null);
      ui.adapter.textContent = 'No WebGPU: the overlay is drawn on the CPU into a 2-D canvas';
    }
  } catch (error) {
    showFatal(ui, `TF.js could not start its ${choice.backend} backend here:`, error);
    return;
  }
  ui.backend.textContent = `Model on TF.js ${choice.backend}${note ? ` (${note})` : ''}: ${choice.reason}. Overlay: ${choice.overlay === 'webgpu' ? 'WebGPU engine' : '2-D canvas (CPU)'}.`;
  ui.backend.dataset['backend'] = choice.backend;
  ui.backend.dataset['overlay'] = choice.overlay;
  if (requested.problem) showMessage(ui.gpuStatus, requested.problem, 'error');

  const app = new DemoApp(ui, gpu, { cpuTimings: query.has('cpu-timings') }, () => createSharedGpu(choice.backend));
  installTestHooks(app);
  const modelUrl = query.get('model') ?? BUNDLED_MODEL_URL;
  await app.start(modelUrl);
}

void main();
