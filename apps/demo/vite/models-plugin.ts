import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Connect, Plugin, PreviewServer, ViteDevServer } from 'vite';

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.txt': 'text/plain' };

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

/**
 * Serves the repository's trained models (the `models/` folder at the repo root) under
 * `/models/` in the dev and preview servers, and copies them into the built site, so the
 * demo loads `models/shapes-cnn/model.json` relative to its own address everywhere.
 *
 * @example
 * export default defineConfig({ plugins: [modelsPlugin('/repo/models')] });
 */
export function modelsPlugin(modelsDir: string): Plugin {
  const root = resolve(modelsDir);
  const handler: Connect.NextHandleFunction = (req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const file = resolve(root, `.${path}`);
    // Anything missing or outside models/ is a 404, not the dev server's index.html
    // fallback, so a wrong model URL fails as it would on a static host.
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('no such model file');
      return;
    }
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  };
  const serve = (server: ViteDevServer | PreviewServer): void => {
    server.middlewares.use('/models', handler);
  };
  return {
    name: 'wgcam-models',
    configureServer: serve,
    configurePreviewServer: serve,
    generateBundle() {
      const files = filesUnder(root);
      if (files.length === 0) this.warn(`no model files under ${root}: the built demo will show a model-loading error until models are added`);
      for (const file of files) {
        this.emitFile({ type: 'asset', fileName: `models/${relative(root, file).split(sep).join('/')}`, source: readFileSync(file) });
      }
    },
  };
}
