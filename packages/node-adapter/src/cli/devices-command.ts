import { createNodeDevice } from '../device.js';
import { chooseBackend } from '../model-backend.js';
import { wasmCapabilities } from '../tfjs-wasm.js';
import { describeWasm } from './backend-report.js';

const SHOWN_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
] as const;

const PER_PROCESS = 'TF.js has one backend per process (tf.setBackend is global): every session of a process runs its model on the same one';

/** `wgcam devices`: the adapter in use, the limits that bound explanations, and what `--backend auto` picks and why. */
export async function devicesCommand(options: { json?: boolean; software?: boolean }): Promise<void> {
  const node = await createNodeDevice({ prefer: options.software ? 'software' : 'auto' });
  try {
    const limits = Object.fromEntries(SHOWN_LIMITS.map((name) => [name, node.device.limits[name]]));
    const r = node.report;
    const choice = chooseBackend('auto', { kind: r.kind, description: r.description || r.device });
    const wasm = choice.backend === 'wasm' ? await wasmCapabilities() : undefined;
    const modelBackend = { auto: choice.backend, reason: choice.reason, ...(wasm ? { wasm } : {}), note: PER_PROCESS };
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ adapter: node.report, limits, modelBackend }, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `adapter: ${r.description || r.device} (${r.kind}; vendor ${r.vendor || '?'}, architecture ${r.architecture || '?'})\n` +
        `features: ${r.features.join(', ')}\nlimits:\n` +
        SHOWN_LIMITS.map((name) => `  ${name.padEnd(36)} ${limits[name]}`).join('\n') +
        `\nmodel backend (--backend auto): ${choice.backend} — ${choice.reason}\n` +
        (wasm ? `  ${describeWasm(wasm)}\n` : '') +
        `  ${PER_PROCESS}\n`,
    );
  } finally {
    node.destroy();
  }
}
