import { WebGpuUnavailableError } from '@wgcam/web-adapter';
import { DemoApp } from './app.js';
import { describeAdapter } from './gpu/adapter-text.js';
import { createSharedGpu, type SharedGpu } from './gpu/shared-gpu.js';
import { findElements, type DemoElements } from './ui/elements.js';
import { errorText } from './ui/messages.js';
import { installTestHooks } from './test-hooks.js';

/** The bundled shapes classifier, relative to the page (served from the repo's models/). */
const BUNDLED_MODEL_URL = 'models/shapes-cnn/model.json';

function showFatal(ui: DemoElements, title: string, error: unknown): void {
  ui.fatal.textContent = `${title}\n${errorText(error)}`;
  ui.fatal.hidden = false;
  if (error instanceof WebGpuUnavailableError) ui.fatal.dataset['reason'] = error.reason;
  ui.adapter.textContent = 'WebGPU unavailable';
  document.body.dataset['status'] = 'fatal';
}

async function main(): Promise<void> {
  const ui = findElements(document);
  let gpu: SharedGpu;
  try {
    gpu = await createSharedGpu();
  } catch (error) {
    showFatal(ui, 'This page needs WebGPU, and cannot use it here:', error);
    return;
  }
  ui.adapter.textContent = describeAdapter(gpu);

  const query = new URLSearchParams(location.search);
  const app = new DemoApp(ui, gpu, { cpuTimings: query.has('cpu-timings') });
  installTestHooks(app);
  const modelUrl = query.get('model') ?? BUNDLED_MODEL_URL;
  await app.start(modelUrl);
}

void main();
