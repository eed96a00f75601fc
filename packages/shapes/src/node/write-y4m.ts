import { closeSync, openSync, writeSync } from 'node:fs';
import { rgbaToI420, y4mFrame, y4mHeader } from '../yuv.js';

/** Options for {@link writeY4m}. */
export interface WriteY4mOptions {
  readonly width: number;
  readonly height: number;
  /** Frames per second (integer, default 30). */
  readonly fps?: number;
}

/**
 * Writes RGBA8 frames as a YUV4MPEG2 file (4:2:0, BT.601 limited range), e.g. for
 * Chromium's `--use-file-for-fake-video-capture`. Frames are streamed to disk one at a
 * time, so a lazy generator keeps memory flat. Returns the number of frames written.
 *
 * @example
 * const frames = movingShapeFrames(5, { frames: 90 });
 * writeY4m('test-artifacts/shapes.y4m', (function* () { for (const f of frames) yield f.pixels; })(),
 *   { width: 320, height: 240 });
 */
export function writeY4m(path: string, frames: Iterable<Uint8Array>, options: WriteY4mOptions): number {
  const fd = openSync(path, 'w');
  let count = 0;
  try {
    writeSync(fd, y4mHeader(options.width, options.height, options.fps ?? 30));
    for (const rgba of frames) {
      writeSync(fd, y4mFrame(rgbaToI420(rgba, options.width, options.height)));
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}
