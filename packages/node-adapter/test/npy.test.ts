import { describe, expect, it } from 'vitest';
import { NpyFormatError, readNpy, writeNpy } from '../src/index.js';

function npyBytes(header: string, body: Uint8Array, version = 1): Uint8Array {
  const headerBytes = new TextEncoder().encode(header);
  const prefix = version === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + headerBytes.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, prefix);
  out.set(body, prefix + headerBytes.length);
  return out;
}

describe('.npy files', () => {
  it('round-trips float32 arrays of any rank', () => {
    for (const shape of [[3], [2, 3], [1, 7, 7, 5], [2, 3, 4, 5, 6]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
      const bytes = writeNpy(data, shape);
      expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
      const back = readNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('reads float64 (converted) and format version 2', () => {
    const body = new Uint8Array(new Float64Array([1.5, -2.25]).buffer);
    const parsed = readNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", body, 2));
    expect(Array.from(parsed.data)).toEqual([1.5, -2.25]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['no magic', new TextEncoder().encode('hello world, not numpy'), /not a \.npy file/],
    ['an int dtype', npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4)), /dtype '<i4'/],
    ['Fortran order', npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n", new Uint8Array(4)), /Fortran order/],
    ['truncated data', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", new Uint8Array(20)), /needs 24 bytes .* holds 20/],
    ['a header cut short', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", new Uint8Array(0)).subarray(0, 30), /truncated \.npy header/],
    ['a header with no shape', npyBytes("{'descr': '<f4', 'fortran_order': False}\n", new Uint8Array(0)), /lacks descr, fortran_order or shape/],
    ['a big-endian dtype', npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4)), /little-endian/],
  ];
  it.each(bad)('refuses %s with a typed error', (_name, bytes, message) => {
    expect(() => readNpy(bytes, 'x.npy')).toThrow(NpyFormatError);
    expect(() => readNpy(bytes, 'x.npy')).toThrow(message);
  });
});
