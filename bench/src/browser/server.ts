// A local HTTP server for the benchmark page: navigator.gpu needs a secure context, which
// http://127.0.0.1 is. Serves the page, its bundled script and the shapes CNN's files.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>wgcam bench</title></head>
<body><p>wgcam benchmark page; driven by <code>npm run bench -- --browser</code>.</p>
<script type="module" src="/bench.js"></script></body></html>
`;

/** A running server and its address. */
export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

const MODEL_PREFIX = '/models/shapes-cnn/';

/**
 * Serves `script` as /bench.js, and the files next to `shapesModel` under /models/shapes-cnn/.
 *
 * @example
 * const server = await servePage(script, 'models/shapes-cnn/model.json');
 * await page.goto(server.url);
 */
export async function servePage(script: string, shapesModel: string): Promise<PageServer> {
  const modelDir = dirname(shapesModel);
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (path === '/bench.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (path.startsWith(MODEL_PREFIX)) {
      // basename() keeps requests inside the model directory.
      const file = join(modelDir, basename(path.slice(MODEL_PREFIX.length)));
      if (!existsSync(file) || !statSync(file).isFile()) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
