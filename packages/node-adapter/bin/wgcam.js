#!/usr/bin/env node
// The `wgcam` command. This file is committed (not built) so that `npm ci` can link it
// into node_modules/.bin before the TypeScript is compiled; it runs the built CLI.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('wgcam: the CLI is not built yet; run `npm run build` (or `npm start`) in the repository root first\n');
  process.exit(1);
}
await import(main.href);
