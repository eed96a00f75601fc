// Seeded fuzzing of everything a user hands wgcam: image bytes (mutated PNG / JPEG, random
// sizes), .npy files, model folders (mutated model.json, manifests, shards) and option
// values (library and command-line parsing). Every case must end in a typed error
// (WgcamError, or commander's InvalidArgumentError for the CLI parsers) or a result that
// keeps wgcam's invariants, within a time bound; the session must stay usable, and the
// correct call made after each batch of cases must give exactly the reference answer.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLORMAP_NAMES, METHOD_NAMES, WgcamError } from '@wgcam/core';
import { ExplainSession, readNpy, writeNpy, type ImageExplanation } from '../src/index.js';
import { parseClassList, parseMethods, parseNumberIn, parsePreprocessArgument, parseSize } from '../src/cli/parse.js';
import { parseTarget } from '../src/cli/explain-command.js';
import { REPO_ROOT } from './fixtures.js';

const SEED = 20240611;
const CASE_TIMEOUT_MS = 20_000;
const work = mkdtempSync(join(tmpdir(), 'wgcam-fuzz-'));
const star = join(REPO_ROOT, 'samples', 'star.png');
const bundled = join(REPO_ROOT, 'models', 'shapes-cnn');

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its number. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;

/** Byte-level mutations: flips, overwrites, truncation, insertion, duplication. */
function mutate(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (int(0, 4)) {
    case 0:
      for (let i = int(1, 8); i > 0; i--) out[int(0, out.length - 1)]! ^= 1 << int(0, 7);
      return out;
    case 1: {
      const at = int(0, out.length - 1);
      out.fill(pick([0, 0xff, int(0, 255)]), at, Math.min(out.length, at + int(1, 64)));
      return out;
    }
    case 2:
      return out.subarray(0, int(0, out.length - 1));
    case 3: {
      const at = int(0, out.length);
      const extra = Uint8Array.from({ length: int(1, 32) }, () => int(0, 255));
      return Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]);
    }
    default: {
      const at = int(0, out.length - 1);
      return Uint8Array.from([...out, ...out.subarray(at, at + int(1, 200))]);
    }
  }
}

interface Tally {
  tried: number;
  typed: number;
  results: number;
}
const tally: Tally = { tried: 0, typed: 0, results: 0 };
const untyped: string[] = [];

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: ${what} took over ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS)));
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** Runs one case: a typed error or a result `check` accepts; anything else is recorded. */
async function fuzzCase<T>(what: string, run: () => Promise<T> | T, check: (value: T) => void, typed: (e: unknown) => boolean = (e) => e instanceof WgcamError): Promise<void> {
  tally.tried += 1;
  try {
    const value = await withTimeout(Promise.resolve().then(run), what);
    check(value);
    tally.results += 1;
  } catch (error) {
    if (typed(error)) tally.typed += 1;
    else untyped.push(`${what}: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}`);
  }
}

/** What every explanation must satisfy, whatever its input. */
function checkExplanation(result: ImageExplanation): void {
  if (!(result.probability >= 0 && result.probability <= 1)) throw new Error(`probability ${result.probability}`);
  if (!(result.class >= 0 && result.class < 5)) throw new Error(`class ${result.class}`);
  for (const { items } of result.methods) {
    for (const item of items) {
      if (item.heatmap.length !== result.heatmapSize.width * result.heatmapSize.height) throw new Error('heatmap size');
      for (const v of item.heatmap) if (!(v >= 0 && v <= 1)) throw new Error(`heatmap value ${v}`);
    }
  }
}

let session: ExplainSession;
let reference: ImageExplanation;

/** The session still gives exactly the reference answer for the correct call. */
async function stillCorrect(): Promise<void> {
  const again = await session.explainFile(star, { method: 'gradcam' });
  expect([again.class, again.probability]).toEqual([reference.class, reference.probability]);
  expect(again.methods[0]!.items[0]!.heatmap).toEqual(reference.methods[0]!.items[0]!.heatmap);
}

beforeAll(async () => {
  session = await ExplainSession.open();
  reference = await session.explainFile(star, { method: 'gradcam' });
});

afterAll(async () => {
  await session.dispose();
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`fuzz (seed ${SEED}): ${tally.tried} cases tried, ${tally.typed} typed errors, ${tally.results} results, ${untyped.length} unhandled\n`);
});

describe(`seeded fuzzing (seed ${SEED})`, { timeout: 240_000 }, () => {
  it('mutated PNG and JPEG bytes: a typed error or a result within the invariants', async () => {
    const png = readFileSync(star);
    const jpeg = new Uint8Array(await sharp(png).jpeg({ quality: 85 }).toBuffer());
    for (let i = 0; i < 200; i++) {
      const [name, bytes] = i % 2 === 0 ? ['png', png] : ['jpg', jpeg];
      const path = join(work, `mutated-${i}.${name}`);
      writeFileSync(path, mutate(bytes));
      await fuzzCase(`image case ${i} (${name})`, () => session.explainFile(path), checkExplanation);
      if (i % 40 === 39) await stillCorrect();
    }
    expect(untyped).toEqual([]);
  });

  it('random image sizes and pixels through explainImage', async () => {
    for (let i = 0; i < 60; i++) {
      const width = pick([0, 1, 2, 3, int(1, 400)]);
      const height = pick([0, 1, 5, int(1, 300)]);
      const size = Math.max(0, width * height * 4 + pick([0, 0, 0, -4, 4]));
      const data = Uint8Array.from({ length: size }, () => int(0, 255));
      await fuzzCase(`pixels case ${i} (${width}×${height}, ${size} bytes)`, () => session.explainImage({ data, width, height }), (r) => {
        checkExplanation(r);
        if (r.imageSize.width !== width || r.imageSize.height !== height) throw new Error('image size');
      });
    }
    await stillCorrect();
    expect(untyped).toEqual([]);
  });

  it('mutated .npy files: a typed error or an array whose data fills its shape', async () => {
    const good = writeNpy(Float32Array.from({ length: 2 * 7 * 7 * 3 }, () => random()), [2, 7, 7, 3]);
    for (let i = 0; i < 500; i++) {
      await fuzzCase(`npy case ${i}`, () => readNpy(mutate(good), 'fuzz.npy'), (array) => {
        const count = array.shape.reduce((n, d) => n * d, 1);
        if (array.data.length !== count) throw new Error(`shape [${array.shape.join(', ')}] with ${array.data.length} values`);
      });
    }
    expect(untyped).toEqual([]);
  });

  it('mutated model folders: a typed error, or a model that explains within the invariants', async () => {
    const modelJson = readFileSync(join(bundled, 'model.json'), 'utf8');
    const weights = readFileSync(join(bundled, 'weights.bin'));
    for (let i = 0; i < 60; i++) {
      const dir = join(work, `model-${i}`);
      cpSync(bundled, dir, { recursive: true });
      const kind = i % 3;
      if (kind === 0) writeFileSync(join(dir, 'model.json'), mutate(new TextEncoder().encode(modelJson)));
      if (kind === 1) {
        // Structured mutations of the manifest: values replaced inside valid JSON.
        const json = JSON.parse(modelJson) as { weightsManifest: { paths: string[]; weights: { shape: number[]; dtype: string; name: string }[] }[] };
        const group = json.weightsManifest[0]!;
        const weight = pick(group.weights);
        switch (int(0, 4)) {
          case 0: weight.shape = weight.shape.map((d) => d + int(-1, 1)); break;
          case 1: weight.dtype = pick(['int32', 'bool', 'string', 'float16', 'complex64']); break;
          case 2: group.paths = [pick(['../weights.bin', '/etc/passwd', 'missing.bin', ''])]; break;
          case 3: weight.name = pick(['', 'nonexistent/kernel', group.weights[0]!.name]); break;
          default: (weight as { shape: unknown }).shape = pick([null, 'x', [-1], []]);
        }
        writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      }
      if (kind === 2) writeFileSync(join(dir, 'weights.bin'), mutate(weights));
      await fuzzCase(`model case ${i} (kind ${kind})`, async () => {
        const other = await ExplainSession.open({ model: join(dir, 'model.json'), backend: 'auto' });
        try {
          return await other.explainFile(star);
        } finally {
          await other.dispose();
        }
      }, checkExplanation);
    }
    await stillCorrect();
    expect(untyped).toEqual([]);
  });

  it('option values for the library: a typed error or a result within the invariants', async () => {
    const values = {
      method: [...METHOD_NAMES, 'all', 'GradCAM', '', ['gradcam', 'cam'], ['nope'], 42, null],
      target: ['top1', 0, 4, 5, -1, 1.5, 'star', 'nope', { topK: 3 }, { topK: 0 }, { topK: 99 }, NaN, null],
      colormap: [...COLORMAP_NAMES, 'rainbow', '', 3],
      alpha: [0, 0.5, 1, -0.1, 1.1, NaN, Infinity, '0.5'],
      size: [{ width: 1, height: 1 }, { width: 33, height: 17 }, { width: 0, height: 5 }, { width: -3, height: 4 }, { width: 1.5, height: 2 }, { width: 100000, height: 100000 }, {}, 'x'],
      background: ['white', '#000', '#12345', '1,2,3', '256,0,0', [1, 2, 3], [1, 2], 'chartreuse'],
      batch: [1, 3, 0, -1, 1.5, 2000],
    } as const;
    for (let i = 0; i < 150; i++) {
      const options: Record<string, unknown> = {};
      for (const [key, list] of Object.entries(values)) if (random() < 0.4) options[key] = pick(list as readonly unknown[]);
      const describe = JSON.stringify(options);
      if (i % 2 === 0) {
        await fuzzCase(`library options ${describe}`, () => session.explainFile(star, options as never), checkExplanation);
      } else {
        await fuzzCase(`batch options ${describe}`, () => session.explainFiles([star], options as never), (reports) => {
          if (reports.length !== 1) throw new Error(`${reports.length} reports`);
          const report = reports[0]!;
          if (!report.ok && !report.error) throw new Error('failed report without an error');
        });
      }
    }
    await stillCorrect();
    expect(untyped).toEqual([]);
  });

  it('command-line argument parsers: a value or commander InvalidArgumentError, never another error', async () => {
    const alphabet = ['x', '×', 'X', '0', '1', '9', '-', '.', ',', ' ', 'e', 'all', 'gradcam', 'top', ';', '=', 'scale', 'offset', 'order', 'bgr', 'tf', '\u0000', 'NaN', 'Infinity'];
    const typedArg = (e: unknown): boolean => e instanceof InvalidArgumentError;
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: int(0, 8) }, () => pick(alphabet)).join('');
      await fuzzCase(`parseSize(${JSON.stringify(text)})`, () => parseSize(text), (s) => { if (!(s.width >= 1 && s.height >= 1 && Number.isInteger(s.width) && Number.isInteger(s.height))) throw new Error(`size ${JSON.stringify(s)}`); }, typedArg);
      await fuzzCase(`parseNumberIn(${JSON.stringify(text)})`, () => parseNumberIn(0, 1)(text), (v) => { if (!(v >= 0 && v <= 1)) throw new Error(`value ${v}`); }, typedArg);
      await fuzzCase(`parseMethods(${JSON.stringify(text)})`, () => parseMethods(text), () => undefined, typedArg);
      await fuzzCase(`parseClassList(${JSON.stringify(text)})`, () => parseClassList(text), (c) => { if (!c.every((k) => Number.isInteger(k) && k >= 0)) throw new Error(`classes ${c}`); }, typedArg);
      await fuzzCase(`parsePreprocessArgument(${JSON.stringify(text)})`, () => parsePreprocessArgument(text), () => undefined, typedArg);
      await fuzzCase(`parseTarget(${JSON.stringify(text)})`, () => parseTarget(text), () => undefined, typedArg);
    }
    expect(untyped).toEqual([]);
  });
});
