/** Anything the browser can copy into a GPU texture with copyExternalImageToTexture. */
export type FrameSource = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement | ImageBitmap | VideoFrame | OffscreenCanvas | ImageData;

/** A size in pixels. */
export interface PixelSize {
  readonly width: number;
  readonly height: number;
}

function isVideoFrame(source: FrameSource): source is VideoFrame {
  return typeof VideoFrame !== 'undefined' && source instanceof VideoFrame;
}

/**
 * The natural pixel size of a frame source; 0×0 while a video or image has not loaded yet.
 *
 * @example
 * const { width, height } = frameSize(video); // 640×480 once the camera delivers frames
 */
export function frameSize(source: FrameSource): PixelSize {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  if (isVideoFrame(source)) return { width: source.displayWidth, height: source.displayHeight };
  return { width: source.width, height: source.height };
}

/**
 * Whether the source holds a frame that can be copied now: a video with current data,
 * a decoded image, or any bitmap-like source of non-zero size.
 *
 * @example
 * if (frameReady(video)) await input.upload(video);
 */
export function frameReady(source: FrameSource): boolean {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement && source.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return false;
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement && !source.complete) return false;
  const { width, height } = frameSize(source);
  return width > 0 && height > 0;
}

/**
 * A size no larger than `maxSide` on its longer side, keeping the aspect ratio (never upscaled).
 *
 * @example
 * fitWithin({ width: 1920, height: 1080 }, 640); // { width: 640, height: 360 }
 */
export function fitWithin(size: PixelSize, maxSide: number): PixelSize {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}
