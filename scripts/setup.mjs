#!/usr/bin/env node
// Idempotent setup run before `npm start`, `npm test` and `npm run bench`: installs only
// what is missing and says what it does. Uses Node built-ins only, because it runs
// before `npm ci` in a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const say = (message) => process.stdout.write(`[setup] ${message}\n`);

function run(command, cwd = root) {
  say(`$ ${command}`);
  const result = spawnSync(command, { cwd, stdio: 'inherit', shell: true });
  if (result.status !== 0) {
    process.stderr.write(`[setup] failed: ${command}\n`);
    process.exit(result.status ?? 1);
  }
}

// System packages: the Vulkan loader (Dawn) and Debian's chromium, which ships the
// SwiftShader Vulkan driver used when there is no GPU and runs the browser tests.
const systemNeeds = [
  { pkg: 'libvulkan1', present: () => ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync) },
  { pkg: 'chromium', present: () => existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') && existsSync('/usr/bin/chromium') },
];
const missing = systemNeeds.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) {
  say('system packages present: libvulkan1, chromium');
} else {
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    say(`installing missing system packages: ${missing.join(', ')}`);
    run('apt-get update -q');
    run(`DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${missing.join(' ')}`);
  } else {
    say(`missing system packages: ${missing.join(', ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`);
    say('(continuing: a machine with a hardware GPU and Vulkan driver can work without them, but browser tests need chromium)');
  }
}

// npm dependencies, from the lockfile, when node_modules is missing or older than it.
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  say('installing npm dependencies from package-lock.json');
  run('npm ci --no-audit --no-fund');
} else {
  say('npm dependencies up to date');
}

if (!args.has('--no-build')) {
  say('building packages (turbo skips what is already built)');
  run('npx turbo run build --output-logs=errors-only');
}
