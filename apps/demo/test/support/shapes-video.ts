// The fake camera's video: shapes moving over a cluttered background (the data set the
// bundled model learned), written as .y4m, with each frame's ground truth kept for checks.
import { closeSync, openSync, writeSync } from 'node:fs';
import { movingShapeFrames, rgbaToI420, y4mFrame, y4mHeader } from '@wgcam/shapes';

/** One frame's ground truth: the object's class, mask and a small luma thumbnail for matching. */
export interface VideoFrameTruth {
  readonly index: number;
  readonly label: number;
  readonly className: string;
  /** width×height, 1 inside the object. */
  readonly mask: Uint8Array;
  readonly thumbnail: Float32Array;
}

export interface ShapesVideo {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly frames: readonly VideoFrameTruth[];
}

/** Thumbnails average THUMB×THUMB pixel blocks. */
export const THUMB = 8;

/**
 * Mean luma of THUMB×THUMB blocks of RGBA pixels; the same function thumbnails camera
 * frames read back from the page, so frames can be matched despite video compression.
 *
 * @example
 * const t = lumaThumbnail(rgba, 320, 240); // 40×30 values
 */
export function lumaThumbnail(rgba: Uint8Array, width: number, height: number): Float32Array {
  const tw = Math.floor(width / THUMB);
  const th = Math.floor(height / THUMB);
  const out = new Float32Array(tw * th);
  for (let y = 0; y < th * THUMB; y++) {
    for (let x = 0; x < tw * THUMB; x++) {
      const p = (y * width + x) * 4;
      const luma = 0.299 * rgba[p]! + 0.587 * rgba[p + 1]! + 0.114 * rgba[p + 2]!;
      out[Math.floor(y / THUMB) * tw + Math.floor(x / THUMB)]! += luma / (THUMB * THUMB);
    }
  }
  return out;
}

/**
 * Writes `frames` frames of one moving shape at 30 fps to `path` and returns their truth.
 *
 * @example
 * const video = writeShapesVideo('test-artifacts/shapes.y4m', 5005, 90);
 */
export function writeShapesVideo(path: string, seed: number, frames: number, width = 320, height = 240): ShapesVideo {
  const fd = openSync(path, 'w');
  const truth: VideoFrameTruth[] = [];
  try {
    writeSync(fd, y4mHeader(width, height, 30));
    for (const frame of movingShapeFrames(seed, { width, height, frames })) {
      writeSync(fd, y4mFrame(rgbaToI420(frame.pixels, width, height)));
      const object = frame.objects[0]!;
      truth.push({ index: frame.index, label: object.label, className: object.className, mask: object.mask, thumbnail: lumaThumbnail(frame.pixels, width, height) });
    }
  } finally {
    closeSync(fd);
  }
  return { path, width, height, frames: truth };
}
