// Bundles the compiled page entry (dist/browser/page-entry.js) and everything it imports
// (TF.js, @wgcam/core) into one ES module for the browser, in memory.
import { join } from 'node:path';

/**
 * The page's JavaScript as one module.
 *
 * @example
 * const script = await bundlePage('/work/main/bench');
 */
export async function bundlePage(benchDir: string): Promise<string> {
  // esbuild comes with the workspace's tooling (tsx and vitest depend on it).
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(benchDir, 'dist', 'browser', 'page-entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the benchmark page');
  return file.text;
}
