// Decides, for a frame sampled from the page, which video frame it shows and whether the
// heatmap's maximum falls on that frame's shape.
import type { DemoProbe } from '../../src/test-hooks.js';
import { lumaThumbnail, type ShapesVideo, type VideoFrameTruth } from './shapes-video.js';

/** What the page's probe returns. */
export type PageProbe = Omit<DemoProbe, 'explained'>;

export interface PeakVerdict {
  readonly frame: number;
  readonly className: string;
  /** Mean squared luma difference to the best-matching video frame, after removing the mean difference. */
  readonly matchError: number;
  /** Whether the hottest feature cell covers part of the shape. */
  readonly onShape: boolean;
  readonly peak: { readonly x: number; readonly y: number };
}

/**
 * The video frame a probed image shows: least mean squared difference of luma thumbnails,
 * ignoring a uniform brightness shift (the fake camera's YUV → RGB conversion brightens
 * some videos by ~10 levels overall).
 *
 * @example
 * const { truth, error } = matchFrame(video, rgba);
 */
export function matchFrame(video: ShapesVideo, rgba: Uint8Array): { truth: VideoFrameTruth; error: number } {
  const thumb = lumaThumbnail(rgba, video.width, video.height);
  let best: VideoFrameTruth = video.frames[0]!;
  let bestError = Infinity;
  for (const frame of video.frames) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < thumb.length; i++) {
      const d = thumb[i]! - frame.thumbnail[i]!;
      sum += d;
      squares += d * d;
    }
    const mean = sum / thumb.length;
    const error = squares / thumb.length - mean * mean;
    if (error < bestError) {
      bestError = error;
      best = frame;
    }
  }
  return { truth: best, error: bestError };
}

/**
 * Whether the hottest cell of a feature-resolution heatmap overlaps `mask` (image-sized):
 * "the maximum lies on the shape" at the resolution the heatmap has.
 *
 * @example
 * peakCellOnMask(probe, sample.mask); // true when the hottest cell covers part of the shape
 */
export function peakCellOnMask(probe: PageProbe, mask: Uint8Array): boolean {
  const { width, height } = probe.imageSize;
  const { width: mw, height: mh } = probe.heatmapSize;
  let best = 0;
  probe.heatmap.forEach((v, i) => {
    if (v > probe.heatmap[best]!) best = i;
  });
  const cx = best % mw;
  const cy = Math.floor(best / mw);
  const x0 = Math.floor((cx * width) / mw);
  const x1 = Math.ceil(((cx + 1) * width) / mw);
  const y0 = Math.floor((cy * height) / mh);
  const y1 = Math.ceil(((cy + 1) * height) / mh);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (mask[y * width + x] === 1) return true;
  return false;
}

/**
 * Matches a probed camera frame to the video and judges its heatmap peak.
 *
 * @example
 * const verdict = judgePeak(video, probe);
 */
export function judgePeak(video: ShapesVideo, probe: PageProbe): PeakVerdict {
  const { width, height } = probe.imageSize;
  if (width !== video.width || height !== video.height) throw new Error(`probe image is ${width}×${height}, the video ${video.width}×${video.height}`);
  const rgba = new Uint8Array(Buffer.from(probe.imageBase64, 'base64'));
  const { truth, error } = matchFrame(video, rgba);
  return { frame: truth.index, className: truth.className, matchError: error, onShape: peakCellOnMask(probe, truth.mask), peak: probe.peak };
}
