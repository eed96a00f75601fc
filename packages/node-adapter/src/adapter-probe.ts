import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What a hardware-adapter probe in a child process found. */
export interface HardwareProbe {
  /** The adapter's description when Dawn found a hardware one, else null. */
  readonly hardware: string | null;
  /** What the Vulkan loader and Dawn printed while probing (kept off this process's stdout and stderr). */
  readonly driverOutput: string;
}

const MARK = 'WGCAM_PROBE ';

// Dawn writes adapter warnings (e.g. Mesa lavapipe's "Vulkan shaderUniform*ArrayDynamicIndexing
// required") from native code, straight to fd 2: the only way to keep them off the user's terminal
// is to ask for the adapter in a process whose output is captured.
const SCRIPT = `
const { create } = await import(process.argv[1]);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const info = adapter ? adapter.info : null;
const text = info ? [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase() : '';
const software = ['swiftshader', 'llvmpipe', 'lavapipe', 'cpu'].some((s) => text.includes(s));
process.stdout.write('\\n${MARK}' + JSON.stringify({ hardware: info && !software ? (info.description || info.device || 'GPU') : null }) + '\\n');
process.exit(0);
`;

/**
 * Asks Dawn for a hardware adapter in a child Node process (about 0.3 s), so that the
 * Vulkan loader's and Dawn's messages about drivers that do not fit never reach this
 * process's stdout or stderr. Set WGCAM_DEBUG=1 to see them.
 *
 * @example
 * const { hardware } = await probeHardwareQuietly();
 * if (!hardware) useSwiftShader();
 */
export function probeHardwareQuietly(timeoutMs = 30_000): Promise<HardwareProbe> {
  const require = createRequire(import.meta.url);
  const dawn = pathToFileURL(require.resolve('webgpu')).href;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', SCRIPT, dawn], { timeout: timeoutMs, env: process.env, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      const driverOutput = `${stdout.split('\n').filter((l) => !l.startsWith(MARK)).join('\n')}${stderr}`.trim();
      if (process.env['WGCAM_DEBUG'] && driverOutput) process.stderr.write(`wgcam: adapter probe output:\n${driverOutput}\n`);
      let hardware: string | null = null;
      if (line) {
        try {
          hardware = (JSON.parse(line.slice(MARK.length)) as { hardware: string | null }).hardware;
        } catch {
          hardware = null;
        }
      }
      // A probe that crashed or timed out found nothing usable; SwiftShader is tried next.
      resolve({ hardware: error && !line ? null : hardware, driverOutput });
    });
  });
}
