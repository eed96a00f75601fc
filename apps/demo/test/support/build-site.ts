// Builds the demo exactly as `npm run build -w apps/demo` does, into a folder of the
// test's choosing, so the tests run the static site users get.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const DEMO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs the Vite production build of the demo into `outDir`.
 *
 * @example
 * await buildSite('test-artifacts/site');
 */
export async function buildSite(outDir: string): Promise<void> {
  await build({ root: DEMO_ROOT, configFile: resolve(DEMO_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: resolve(outDir), emptyOutDir: true } });
}
