import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { i420ToRgba, movingShapeFrames, parseY4m, renderMovingShapes, rgbaToI420, SHAPE_CLASSES, y4mFrame, y4mHeader } from '../src/index.js';
import { writeY4m } from '../src/node/index.js';

describe('movingShapeFrames', () => {
  it('renders deterministic frames whose objects move and whose masks match their boxes', () => {
    const frames = renderMovingShapes(5, { width: 160, height: 120, frames: 12 });
    const again = renderMovingShapes(5, { width: 160, height: 120, frames: 12 });
    expect(frames.length).toBe(12);
    expect(again[7]!.pixels).toEqual(frames[7]!.pixels);
    for (const f of frames) {
      expect(f.pixels.length).toBe(160 * 120 * 4);
      expect(f.objects.length).toBe(1);
      const o = f.objects[0]!;
      expect(o.className).toBe(SHAPE_CLASSES[o.label]);
      const area = o.mask.reduce((a, b) => a + b, 0);
      expect(area).toBeGreaterThan(0.02 * 160 * 120);
      expect(o.bbox.x1 - o.bbox.x0).toBeGreaterThan(0);
    }
    const first = frames[0]!.objects[0]!.placement;
    const last = frames[11]!.objects[0]!.placement;
    expect(Math.hypot(last.cx - first.cx, last.cy - first.cy)).toBeGreaterThan(5);
  });

  it('keeps two objects of different classes with disjoint masks and can switch classes', () => {
    const frames = [...movingShapeFrames(9, { width: 160, height: 120, frames: 20, objects: 2, switchClassEvery: 10 })];
    for (const f of frames) {
      const [a, b] = f.objects;
      expect(a!.label).not.toBe(b!.label);
      expect(a!.mask.some((v, i) => v === 1 && b!.mask[i] === 1)).toBe(false);
    }
    expect(frames[10]!.objects[0]!.label).toBe((frames[9]!.objects[0]!.label + 1) % SHAPE_CLASSES.length);
  });
});

describe('YUV 4:2:0 and y4m', () => {
  it('converts RGBA to I420 and back within chroma-subsampling error on flat colours', () => {
    const w = 8;
    const h = 4;
    const rgba = new Uint8Array(w * h * 4);
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
      [0, 0, 0],
      [30, 200, 120],
    ];
    // 2×2 blocks of one colour each, so subsampling loses nothing.
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const c = colours[((y >> 1) * (w >> 1) + (x >> 1)) % colours.length]!;
        rgba.set([...c, 255], 4 * (y * w + x));
      }
    }
    const frame = rgbaToI420(rgba, w, h);
    expect(frame.y.length).toBe(32);
    expect(frame.u.length).toBe(8);
    // BT.601 limited range: white → Y 235, black → Y 16, neutral chroma 128.
    expect(frame.y[6]).toBe(235); // block 3 (white) starts at x = 6, y = 0
    expect(frame.y[2 * w]).toBe(16); // block 4 (black) starts at x = 0, y = 2
    expect(frame.u[4]).toBe(128);
    const back = i420ToRgba(frame);
    for (let i = 0; i < rgba.length; i++) expect(Math.abs(back[i]! - rgba[i]!)).toBeLessThanOrEqual(3);
    expect(() => rgbaToI420(new Uint8Array(3 * 2 * 4), 3, 2)).toThrow();
  });

  it('writes a y4m file that parses back to the same frames', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgcam-y4m-'));
    try {
      const path = join(dir, 'shapes.y4m');
      const frames = renderMovingShapes(3, { width: 64, height: 48, frames: 4 });
      const written = writeY4m(path, frames.map((f) => f.pixels), { width: 64, height: 48, fps: 15 });
      expect(written).toBe(4);
      const bytes = new Uint8Array(readFileSync(path));
      const header = y4mHeader(64, 48, 15);
      expect(new TextDecoder().decode(bytes.subarray(0, header.length))).toBe(header);
      expect(bytes.length).toBe(header.length + 4 * y4mFrame(rgbaToI420(frames[0]!.pixels, 64, 48)).length);
      const video = parseY4m(bytes);
      expect([video.width, video.height, video.fps, video.frames.length]).toEqual([64, 48, 15, 4]);
      expect(video.frames[2]!.y).toEqual(rgbaToI420(frames[2]!.pixels, 64, 48).y);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
