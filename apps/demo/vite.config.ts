import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { modelsPlugin } from './vite/models-plugin.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The trained models to serve under /models/: the repo's models/ folder unless WGCAM_MODELS_DIR names another. */
export const MODELS_DIR = process.env['WGCAM_MODELS_DIR'] ?? resolve(here, '../../models');

export default defineConfig({
  root: here,
  // Relative asset and model URLs, so the static site works from any folder.
  base: './',
  publicDir: false,
  plugins: [modelsPlugin(MODELS_DIR)],
  server: { host: 'localhost' },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4096, reportCompressedSize: false },
});
