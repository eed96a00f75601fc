import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError, withKerasCompat } from '@wgcam/core/tfjs';

interface ModelJson {
  format?: string;
  modelTopology?: { node?: unknown[] } & Record<string, unknown>;
  weightsManifest?: unknown;
  [key: string]: unknown;
}

/** A weight group as the manifest must hold it once checked. */
interface CheckedGroup {
  readonly paths: string[];
  readonly weights: tf.io.WeightsManifestEntry[];
  /** Bytes the group's weights need; null when a string weight makes it variable. */
  readonly bytes: number | null;
}

/** A model.json larger than this is not a model description (the biggest graph topologies are tens of MB). */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

/**
 * Bytes per element as stored in the weight file. The converter's quantisation stores
 * uint8/uint16/float16 values in place of the original dtype, so an entry's
 * `quantization.dtype`, when present, decides the stored size.
 */
const STORED_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever, before
// fstat could tell it is no regular file. O_NOFOLLOW: the path was resolved by realpath; a
// symlink swapped in afterwards is refused instead of followed.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Reads a regular file of at most `maxBytes` (exactly `exactBytes` when given) through one
 * handle, so the checks and the read see the same file. Devices, FIFOs and sockets are
 * refused before any byte is read.
 */
async function readBoundedFile(path: string, what: string, limits: { maxBytes: number; exactBytes?: number | null }): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(code === 'ENOENT' ? `${what} ${path} does not exist` : `${what} ${path} cannot be opened (${code})`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ModelLoadError(`${what} ${path} is not a regular file (a device, FIFO or socket); point it at the real file`);
    const expected = limits.exactBytes ?? null;
    if (expected !== null && info.size !== expected) {
      throw new ModelLoadError(`${what} ${path} holds ${info.size} bytes where ${expected} are expected; the file is truncated or belongs to another model: export the model again`);
    }
    if (info.size > limits.maxBytes) throw new ModelLoadError(`${what} ${path} is ${info.size} bytes, more than the ${limits.maxBytes} allowed`);
    const bytes = new Uint8Array(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) throw new ModelLoadError(`${what} ${path} ended after ${filled} of ${bytes.length} bytes (changed while being read?)`);
      filled += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

async function readModelJson(path: string): Promise<ModelJson> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(code === 'ENOENT' ? `model file ${path} does not exist` : `model file ${path} cannot be read (${code})`, { cause: error });
  }
  const text = new TextDecoder().decode(await readBoundedFile(real, 'model file', { maxBytes: MAX_MODEL_JSON_BYTES }));
  try {
    const json = JSON.parse(text) as ModelJson;
    if (!json || typeof json !== 'object' || !json.modelTopology) throw new Error('no modelTopology');
    return json;
  } catch (error) {
    throw new ModelLoadError(`${path} is not a TF.js model.json (${(error as Error).message}); export the model with tfjs-converter or model.save()`, { cause: error });
  }
}

function elementCount(shape: unknown): number | null {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) return null;
  return (shape as number[]).reduce((n, d) => n * d, 1);
}

/** The bytes a weight entry occupies in its shard; null for strings (length-prefixed, variable). */
function storedBytes(entry: tf.io.WeightsManifestEntry, where: string): number | null {
  const count = elementCount(entry.shape);
  if (count === null) throw new ModelLoadError(`${where}: weight "${entry.name}" has a malformed shape ${JSON.stringify(entry.shape)}`);
  if (entry.dtype === 'string' && entry.quantization === undefined) return null;
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  const size = STORED_BYTES[dtype];
  if (size === undefined) throw new ModelLoadError(`${where}: weight "${entry.name}" has dtype ${String(dtype)}, which TF.js cannot load`);
  return count * size;
}

/**
 * Checks the manifest's structure: a list of groups, each with `paths` a list of strings and
 * `weights` a list of entries whose sizes add up. A string `paths` would otherwise be
 * iterated character by character into one-letter file names.
 */
function checkManifest(manifest: unknown, modelPath: string): CheckedGroup[] {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw new ModelLoadError(`${modelPath}: weightsManifest must be a list of weight groups, not ${typeof manifest}; export the model again`);
  return manifest.map((group: unknown, g) => {
    const where = `${modelPath}: weightsManifest[${g}]`;
    if (typeof group !== 'object' || group === null) throw new ModelLoadError(`${where} is not a weight group object`);
    const { paths, weights } = group as { paths?: unknown; weights?: unknown };
    if (typeof paths === 'string') {
      throw new ModelLoadError(`${where}.paths is the string ${JSON.stringify(paths)}, not a list; write it as [${JSON.stringify(paths)}]`);
    }
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new ModelLoadError(`${where}.paths must be a list of weight file names, got ${JSON.stringify(paths)}`);
    }
    if (!Array.isArray(weights)) throw new ModelLoadError(`${where}.weights must be a list of weight entries, got ${JSON.stringify(weights)}`);
    let bytes: number | null = 0;
    for (const entry of weights as tf.io.WeightsManifestEntry[]) {
      if (typeof entry !== 'object' || entry === null || typeof entry.name !== 'string') throw new ModelLoadError(`${where}.weights holds an entry without a name`);
      const size = storedBytes(entry, where);
      bytes = size === null || bytes === null ? null : bytes + size;
    }
    return { paths: paths as string[], weights: weights as tf.io.WeightsManifestEntry[], bytes };
  });
}

/**
 * Resolves a manifest path inside the model's folder, following symlinks: `../x.bin`, an
 * absolute path, or a link that leads out of the folder (to /dev/zero, /etc/...) is refused.
 */
async function resolveShard(folder: string, shard: string, modelPath: string): Promise<{ real: string; size: number }> {
  const named = join(dirname(modelPath), shard);
  if (isAbsolute(shard) || /^[a-z][a-z0-9+.-]*:/i.test(shard)) {
    throw new ModelLoadError(`weight file ${shard} named by ${modelPath} is an absolute path or URL; the manifest must name files beside model.json`);
  }
  let real: string;
  try {
    real = await realpath(named);
  } catch (error) {
    throw new ModelLoadError(`weight file ${named} named by ${modelPath} is missing or unreadable (${(error as NodeJS.ErrnoException).code}); copy it next to model.json`, { cause: error });
  }
  const inside = relative(folder, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new ModelLoadError(`weight file ${named} named by ${modelPath} resolves to ${real}, outside the model's folder ${folder}; weight files must live in the model's folder`);
  }
  const info = await stat(real);
  if (!info.isFile()) throw new ModelLoadError(`weight file ${named} named by ${modelPath} is not a regular file (a device, FIFO or socket); point the manifest at the real .bin file`);
  return { real, size: info.size };
}

/**
 * Reads every weight group's shards into one buffer, refusing any shard that is not a
 * regular file inside the model's folder and any group whose files do not add up to the
 * bytes its weights need.
 */
async function readWeights(groups: readonly CheckedGroup[], modelPath: string): Promise<Uint8Array> {
  let folder: string;
  try {
    folder = await realpath(dirname(modelPath));
  } catch (error) {
    throw new ModelLoadError(`the folder of ${modelPath} cannot be resolved`, { cause: error });
  }
  const planned: { named: string; real: string; size: number }[] = [];
  for (const [g, group] of groups.entries()) {
    const shards = [];
    for (const shard of group.paths) shards.push({ named: join(dirname(modelPath), shard), ...(await resolveShard(folder, shard, modelPath)) });
    const total = shards.reduce((n, s) => n + s.size, 0);
    if (group.bytes !== null && total !== group.bytes) {
      const files = shards.map((s) => `${s.named} (${s.size} bytes)`).join(', ');
      throw new ModelLoadError(`weight files ${files} named by ${modelPath} (weightsManifest[${g}]) hold ${total} bytes, but the group's weights need ${group.bytes}; the files are truncated or belong to another export: export the model again`);
    }
    planned.push(...shards);
  }
  const weightData = new Uint8Array(planned.reduce((n, s) => n + s.size, 0));
  let offset = 0;
  for (const shard of planned) {
    // The size was fixed above; the bounded read refuses a file that changed since.
    weightData.set(await readBoundedFile(shard.real, `weight file ${shard.named} named by ${modelPath}:`, { maxBytes: shard.size, exactBytes: shard.size }), offset);
    offset += shard.size;
  }
  return weightData;
}

/**
 * A tf.io handler that reads model.json and its weight shards from the file system. Every
 * shard must be a regular file inside the model's folder (after following symlinks) and
 * each weight group's files must hold exactly the bytes its weights need; anything else is
 * a ModelLoadError naming the file.
 *
 * @example
 * const model = await tf.loadLayersModel(fileHandler('models/shapes-cnn/model.json'));
 */
export function fileHandler(path: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await readModelJson(path);
      const groups = checkManifest(json.weightsManifest, path);
      const weightData = await readWeights(groups, path);
      const { weightsManifest: _manifest, modelTopology, ...rest } = json;
      const weightSpecs = groups.flatMap((group) => group.weights);
      return { ...(rest as object), modelTopology, weightSpecs, weightData: weightData.buffer as ArrayBuffer } as tf.io.ModelArtifacts;
    },
  };
}

/**
 * Loads a TF.js LayersModel or GraphModel from a model.json path, telling them apart by
 * the file's `format` field (or a GraphDef topology). LayersModels go through the Keras
 * compatibility layer first, so Keras 3 exports and the Keras 2 models TF.js cannot read as
 * they are (Normalization layers, SeparableConv2D configs) load too.
 *
 * @example
 * const model = await loadModel('models/shapes-cnn/model.json');
 */
export async function loadModel(path: string): Promise<tf.LayersModel | tf.GraphModel> {
  const json = await readModelJson(path);
  const isGraph = json.format === 'graph-model' || Array.isArray(json.modelTopology?.node);
  try {
    return isGraph ? await tf.loadGraphModel(fileHandler(path)) : await tf.loadLayersModel(withKerasCompat(fileHandler(path), { source: path }));
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(`${path} could not be loaded as a ${isGraph ? 'graph' : 'layers'} model: ${(error as Error).message}`, { cause: error });
  }
}
