// Versions of the packages a run depends on, read from their package.json files.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The version in `name`'s package.json, found above its resolved entry point; 'unknown' if not found. */
function packageVersion(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    while (dir !== dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === name) return json.version ?? 'unknown';
      }
      dir = dirname(dir);
    }
  } catch {
    // Not installed: reported as unknown below rather than failing the run.
  }
  return 'unknown';
}

/**
 * Versions of Node, Dawn (npm `webgpu`), the TF.js WebGPU backend and wgcam's core.
 *
 * @example
 * packageVersions(); // { node: 'v20.20.2', webgpu: '0.6.2', ... }
 */
export function packageVersions(): Record<string, string> {
  return {
    node: process.version,
    'webgpu (Dawn)': packageVersion('webgpu'),
    'tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu'),
    '@wgcam/core': packageVersion('@wgcam/core'),
  };
}
