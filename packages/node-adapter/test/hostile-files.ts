// Builders of hostile and edge-case image files for the tests.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** CRC-32 as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(kind: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGB PNG whose header says `height` rows but whose (valid) zlib data holds only `rows`. */
export function pngWithFewerRows(width: number, height: number, rows: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const scanlines = Buffer.alloc(rows * (1 + width * 3));
  for (let y = 0; y < rows; y++) for (let x = 0; x < width * 3; x++) scanlines[y * (1 + width * 3) + 1 + x] = 100 + ((x + y) % 100);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', new Uint8Array())]);
}

/** A small JPEG whose frame header claims `side`×`side`, with a fill byte 0xFF before the SOF marker (allowed by the standard, B.1.1.2). */
export async function jpegClaimingWithFillByte(side: number): Promise<Buffer> {
  const rgb = Buffer.alloc(45 * 30 * 3, 128);
  const jpeg = await sharp(rgb, { raw: { width: 45, height: 30, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  const patched = Buffer.from(jpeg);
  patched.writeUInt16BE(side, sof + 5);
  patched.writeUInt16BE(side, sof + 7);
  return Buffer.concat([patched.subarray(0, sof), Buffer.from([0xff]), patched.subarray(sof)]);
}

/** An RGBA PNG: left half fully transparent red, right half opaque blue. */
export async function halfTransparentPng(width: number, height: number): Promise<Buffer> {
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set(p % width < width / 2 ? [255, 0, 0, 0] : [0, 0, 255, 255], p * 4);
  return sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
}

/** A JPEG `width`×`height` as stored, with EXIF orientation 6 (shown turned 90° clockwise); the stored top-left corner is white, the rest black. */
export async function rotatedJpeg(width: number, height: number): Promise<Buffer> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) rgb.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
}
