import { createNodeDevice } from '../device.js';

const SHOWN_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
] as const;

/** `wgcam devices`: the adapter in use and the limits that bound explanations. */
export async function devicesCommand(options: { json?: boolean; software?: boolean }): Promise<void> {
  const node = await createNodeDevice({ prefer: options.software ? 'software' : 'auto' });
  try {
    const limits = Object.fromEntries(SHOWN_LIMITS.map((name) => [name, node.device.limits[name]]));
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ adapter: node.report, limits }, null, 2)}\n`);
      return;
    }
    const r = node.report;
    process.stdout.write(
      `adapter: ${r.description || r.device} (${r.kind}; vendor ${r.vendor || '?'}, architecture ${r.architecture || '?'})\n` +
        `features: ${r.features.join(', ')}\nlimits:\n` +
        SHOWN_LIMITS.map((name) => `  ${name.padEnd(36)} ${limits[name]}`).join('\n') +
        '\n',
    );
  } finally {
    node.destroy();
  }
}
