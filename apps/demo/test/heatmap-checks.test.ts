// The browser test's judge of "the heatmap maximum lies on the shape", checked on
// synthetic probes whose answer is known, so a trained model's verdicts can be trusted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { movingShapeFrames } from '@wgcam/shapes';
import { afterAll, describe, expect, it } from 'vitest';
import { judgePeak, type PageProbe } from './support/heatmap-checks.js';
import { writeShapesVideo } from './support/shapes-video.js';

const dir = mkdtempSync(join(tmpdir(), 'wgcam-video-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED = 77;
const video = writeShapesVideo(join(dir, 'v.y4m'), SEED, 12);
const frames = [...movingShapeFrames(SEED, { frames: 12 })];

/** A probe of video frame `index` whose 8×6 heatmap is hot in the cell holding (x, y). */
function probe(index: number, x: number, y: number): PageProbe {
  const frame = frames[index]!;
  const heatmap = new Array<number>(8 * 6).fill(0.1);
  heatmap[Math.floor((y * 6) / frame.height) * 8 + Math.floor((x * 8) / frame.width)] = 1;
  return {
    heatmap,
    heatmapSize: { width: 8, height: 6 },
    imageBase64: Buffer.from(frame.pixels).toString('base64'),
    imageSize: { width: frame.width, height: frame.height },
    peak: { x, y },
  };
}

function centroid(mask: Uint8Array, width: number): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  mask.forEach((v, i) => {
    if (v) {
      sx += i % width;
      sy += Math.floor(i / width);
      n += 1;
    }
  });
  return { x: sx / n, y: sy / n };
}

describe('judgePeak', () => {
  it('finds the frame a probe shows and accepts a peak on the shape', () => {
    for (const index of [0, 5, 11]) {
      const frame = frames[index]!;
      const c = centroid(frame.objects[0]!.mask, frame.width);
      const verdict = judgePeak(video, probe(index, c.x, c.y));
      expect(verdict.frame).toBe(index);
      expect(verdict.matchError).toBeLessThan(1);
      expect(verdict.onShape).toBe(true);
      expect(verdict.className).toBe(frame.objects[0]!.className);
    }
  });

  it('rejects a peak in a cell the shape does not touch', () => {
    const frame = frames[3]!;
    const { mask } = frame.objects[0]!;
    // The corner cell farthest from the shape's centroid.
    const c = centroid(mask, frame.width);
    const x = c.x < frame.width / 2 ? frame.width - 1 : 0;
    const y = c.y < frame.height / 2 ? frame.height - 1 : 0;
    expect(judgePeak(video, probe(3, x, y)).onShape).toBe(false);
  });
});
