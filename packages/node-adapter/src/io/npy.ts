import { WgcamError } from '@wgcam/core';

/** A .npy file that is not a float array wgcam can read. */
export class NpyFormatError extends WgcamError {
  constructor(message: string) {
    super('BAD_NPY', message);
  }
}

/** A float32 array read from a .npy file. */
export interface NpyArray {
  readonly data: Float32Array;
  readonly shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function parseHeader(text: string, name: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(`${name}: the .npy header lacks descr, fortran_order or shape: ${text.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyFormatError(`${name}: malformed shape (${shapeText})`);
  return { descr, fortran: fortran === 'True', shape };
}

/**
 * Parses a NumPy .npy file holding little-endian float32 (or float64, converted) values in
 * C order.
 *
 * @example
 * const { data, shape } = readNpy(await readFile('activations.npy'), 'activations.npy');
 */
export function readNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyFormatError(`${name} is not a .npy file (no \\x93NUMPY magic); save it with numpy.save`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError(`${name}: truncated .npy header`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyFormatError(`${name}: unsupported .npy format version ${major}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyFormatError(`${name}: truncated .npy header (${bytes.length} bytes in all)`);
  const header = parseHeader(new TextDecoder('latin1').decode(bytes.subarray(headerStart, dataStart)), name);
  if (header.fortran) throw new NpyFormatError(`${name} is in Fortran order; save numpy.ascontiguousarray(x) instead`);
  const elements = header.shape.reduce((a, b) => a * b, 1);
  const itemSize = header.descr === '<f4' || header.descr === '=f4' ? 4 : header.descr === '<f8' || header.descr === '=f8' ? 8 : 0;
  if (itemSize === 0) throw new NpyFormatError(`${name} has dtype '${header.descr}'; wgcam reads little-endian float32 or float64 (x.astype('float32'))`);
  const available = bytes.length - dataStart;
  if (available !== elements * itemSize) {
    throw new NpyFormatError(`${name}: shape (${header.shape.join(', ')}) needs ${elements * itemSize} bytes of data but the file holds ${available}`);
  }
  const data = new Float32Array(elements);
  for (let i = 0; i < elements; i++) {
    data[i] = itemSize === 4 ? view.getFloat32(dataStart + 4 * i, true) : view.getFloat64(dataStart + 8 * i, true);
  }
  return { data, shape: header.shape };
}

/**
 * Encodes a float32 array as a version 1.0 .npy file.
 *
 * @example
 * await writeFile('heatmap.npy', writeNpy(heatmap, [1, 224, 224]));
 */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements !== data.length) throw new NpyFormatError(`writeNpy: shape (${shape.join(', ')}) does not hold ${data.length} values`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, ending the header with a newline.
  const padding = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(padding % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const body = new DataView(out.buffer, 10 + header.length);
  data.forEach((v, i) => body.setFloat32(4 * i, v, true));
  return out;
}
