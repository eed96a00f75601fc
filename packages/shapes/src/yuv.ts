/**
 * RGBA ↔ planar YUV 4:2:0 (I420) conversion and YUV4MPEG2 (.y4m) encoding, pure functions
 * usable anywhere. Colours use BT.601 limited ("studio") range, Y in 16–235 and U/V in
 * 16–240, which is what players and Chromium's fake camera assume for 4:2:0 y4m files.
 */

/** Planar 4:2:0 frame: full-resolution luma, chroma at half width and half height. */
export interface I420Frame {
  readonly width: number;
  readonly height: number;
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
}

function clampByte(v: number): number {
  const r = Math.round(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * Converts RGBA8 to I420. Each chroma sample averages the 2×2 block it covers
 * (centred chroma siting, as the 420jpeg tag declares). Width and height must be even.
 *
 * @example
 * const frame = rgbaToI420(pixels, 320, 240);
 */
export function rgbaToI420(rgba: Uint8Array, width: number, height: number): I420Frame {
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error(`rgbaToI420: ${width}×${height} is not even`);
  if (rgba.length !== width * height * 4) throw new Error('rgbaToI420: pixel buffer has the wrong length');
  const y = new Uint8Array(width * height);
  const u = new Uint8Array((width / 2) * (height / 2));
  const v = new Uint8Array((width / 2) * (height / 2));
  for (let i = 0; i < width * height; i++) {
    const r = (rgba[4 * i] as number) / 255;
    const g = (rgba[4 * i + 1] as number) / 255;
    const b = (rgba[4 * i + 2] as number) / 255;
    y[i] = clampByte(16 + 65.481 * r + 128.553 * g + 24.966 * b);
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < width / 2; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = 4 * ((2 * cy + dy) * width + 2 * cx + dx);
          r += rgba[p] as number;
          g += rgba[p + 1] as number;
          b += rgba[p + 2] as number;
        }
      }
      r /= 4 * 255;
      g /= 4 * 255;
      b /= 4 * 255;
      const c = cy * (width / 2) + cx;
      u[c] = clampByte(128 - 37.797 * r - 74.203 * g + 112 * b);
      v[c] = clampByte(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  }
  return { width, height, y, u, v };
}

/**
 * Converts I420 back to RGBA8 (nearest chroma sample), the inverse of {@link rgbaToI420}
 * up to chroma subsampling and rounding.
 *
 * @example
 * const rgba = i420ToRgba(rgbaToI420(pixels, 320, 240));
 */
export function i420ToRgba(frame: I420Frame): Uint8Array {
  const { width, height } = frame;
  const out = new Uint8Array(width * height * 4);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const i = py * width + px;
      const c = (py >> 1) * (width / 2) + (px >> 1);
      const yy = ((frame.y[i] as number) - 16) / 219;
      const cb = ((frame.u[c] as number) - 128) / 224;
      const cr = ((frame.v[c] as number) - 128) / 224;
      // Inverse of the BT.601 matrix above (Kr = 0.299, Kb = 0.114).
      out[4 * i] = clampByte(255 * (yy + 1.402 * cr));
      out[4 * i + 1] = clampByte(255 * (yy - 0.344136 * cb - 0.714136 * cr));
      out[4 * i + 2] = clampByte(255 * (yy + 1.772 * cb));
      out[4 * i + 3] = 255;
    }
  }
  return out;
}

/**
 * The YUV4MPEG2 stream header for progressive 4:2:0 video with square pixels.
 *
 * @example
 * const header = y4mHeader(320, 240, 30); // "YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg\n"
 */
export function y4mHeader(width: number, height: number, fps: number): string {
  if (!Number.isInteger(fps) || fps <= 0) throw new Error(`y4mHeader: fps must be a positive integer, got ${fps}`);
  return `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`;
}

/**
 * One y4m frame: the "FRAME\n" marker followed by the Y, U and V planes.
 *
 * @example
 * const bytes = y4mFrame(rgbaToI420(pixels, 320, 240));
 */
export function y4mFrame(frame: I420Frame): Uint8Array {
  const marker = new TextEncoder().encode('FRAME\n');
  const out = new Uint8Array(marker.length + frame.y.length + frame.u.length + frame.v.length);
  out.set(marker, 0);
  out.set(frame.y, marker.length);
  out.set(frame.u, marker.length + frame.y.length);
  out.set(frame.v, marker.length + frame.y.length + frame.u.length);
  return out;
}

/** A parsed y4m stream (only the subset {@link y4mHeader} writes: 4:2:0, progressive). */
export interface Y4mVideo {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: I420Frame[];
}

/**
 * Parses a y4m file written by this module, e.g. to check a generated test video.
 *
 * @example
 * const video = parseY4m(new Uint8Array(fs.readFileSync('shapes.y4m')));
 */
export function parseY4m(bytes: Uint8Array): Y4mVideo {
  const headerEnd = bytes.indexOf(0x0a);
  if (headerEnd < 0) throw new Error('parseY4m: no header line');
  const header = new TextDecoder().decode(bytes.subarray(0, headerEnd)).split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new Error('parseY4m: not a YUV4MPEG2 stream');
  let width = 0;
  let height = 0;
  let fps = 0;
  for (const token of header.slice(1)) {
    if (token.startsWith('W')) width = Number(token.slice(1));
    else if (token.startsWith('H')) height = Number(token.slice(1));
    else if (token.startsWith('F')) {
      const [num, den] = token.slice(1).split(':').map(Number);
      fps = (num ?? 0) / (den ?? 1);
    } else if (token.startsWith('C') && !token.startsWith('C420')) {
      throw new Error(`parseY4m: unsupported colour space ${token}`);
    }
  }
  const lumaSize = width * height;
  const chromaSize = (width / 2) * (height / 2);
  const frames: I420Frame[] = [];
  let offset = headerEnd + 1;
  while (offset < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, offset);
    if (lineEnd < 0 || new TextDecoder().decode(bytes.subarray(offset, offset + 5)) !== 'FRAME') {
      throw new Error(`parseY4m: expected FRAME at byte ${offset}`);
    }
    offset = lineEnd + 1;
    if (offset + lumaSize + 2 * chromaSize > bytes.length) throw new Error('parseY4m: truncated frame');
    const y = bytes.slice(offset, offset + lumaSize);
    const u = bytes.slice(offset + lumaSize, offset + lumaSize + chromaSize);
    const v = bytes.slice(offset + lumaSize + chromaSize, offset + lumaSize + 2 * chromaSize);
    frames.push({ width, height, y, u, v });
    offset += lumaSize + 2 * chromaSize;
  }
  return { width, height, fps, frames };
}
