// A minimal static file server on 127.0.0.1 (a secure context, so navigator.gpu exists)
// with a random port: the built demo at /, extra folders mounted at chosen prefixes;
// optionally cross-origin isolated (COOP/COEP), as a host of the built site may serve it.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads). */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `mounts` (URL prefix → folder); '/' maps to index.html; with crossOriginIsolated,
 * every response carries COOP/COEP headers.
 *
 * @example
 * const server = await serveStatic({ '/': 'dist', '/fixtures/': 'test-artifacts/fixtures' });
 * await page.goto(server.url);
 */
export async function serveStatic(mounts: Record<string, string>, options: { crossOriginIsolated?: boolean } = {}): Promise<StaticServer> {
  const extra = options.crossOriginIsolated ? ISOLATION_HEADERS : {};
  const entries = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, resolve(dir)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = entries.find(([prefix]) => path.startsWith(prefix));
    let file = mount ? resolve(join(mount[1], path.slice(mount[0].length))) : '';
    if (mount && file === mount[1]) file = join(file, 'index.html');
    if (!mount || !(file === mount[1] || file.startsWith(mount[1] + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...extra }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store', ...extra });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the test server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
