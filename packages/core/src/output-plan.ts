// What one explanation writes: heatmap and overlay sizes, validated against the device.
import type { ColormapName } from './colormaps.js';
import { COLORMAP_NAMES, isColormapName } from './colormaps.js';
import { DeviceLimitError, InvalidInputError, ShapeError } from './errors.js';
import { checkSize, isGpuBuffer, type FeatureDims, type Size2D } from './inputs.js';

/** An RGBA8 image (or one per batch image) to draw the heatmap over. */
export interface OverlayImage {
  /** RGBA8 pixels, row-major; typed arrays may hold 1 or B images back to back, a GPUBuffer `count` packed images. */
  readonly data: Uint8Array | Uint8ClampedArray | GPUBuffer;
  readonly width: number;
  readonly height: number;
  /** Images in a GPUBuffer (1 or B); typed arrays infer it from their length. */
  readonly count?: number;
}

/** How to colour the heatmap and blend it over an image. */
export interface OverlayOptions {
  /** The image underneath; its size is the overlay's size. */
  readonly image?: OverlayImage;
  /** The overlay's size when there is no image (colormap only). */
  readonly size?: Size2D;
  /** Colormap, 'jet' by default. */
  readonly colormap?: ColormapName;
  /** Weight of the colour over the image, 0.5 by default. */
  readonly alpha?: number;
}

/**
 * Where per-map min-max normalisation happens: `output` (default) on the map resized to
 * each output's size, as pytorch-grad-cam and tf-keras-vis do (every output's maximum is
 * 1 up to the 1e-7 guard); `feature` at the feature map's h×w before resizing (wgcam's
 * earlier convention; a resized maximum can fall below 1). Equal when the output size is h×w.
 */
export type Normalization = 'output' | 'feature';

/** The normalisation conventions, default first. */
export const NORMALIZATIONS: readonly Normalization[] = ['output', 'feature'];

/**
 * Whether `value` names a normalisation convention.
 *
 * @example
 * isNormalization('feature'); // true
 */
export function isNormalization(value: unknown): value is Normalization {
  return value === 'output' || value === 'feature';
}

/** The outputs asked of one explanation. */
export interface OutputRequest {
  /** Min-max normalisation at each output's resolution ('output', the engine's default) or at feature resolution ('feature'). */
  readonly normalize?: Normalization;
  /** Heatmap size; omitted, heatmaps stay at feature resolution h×w. */
  readonly size?: Size2D;
  /** Whether to keep the float heatmaps (default true). */
  readonly heatmap?: boolean;
  /** Colour the heatmap (and blend it over an image). */
  readonly overlay?: OverlayOptions;
}

/** Validated output sizes and byte counts. */
export interface OutputPlan {
  readonly heatmapSize: Size2D | null;
  readonly overlaySize: Size2D | null;
  readonly imageCount: number;
  readonly heatmapBytes: number;
  readonly overlayBytes: number;
}

export function sameSize(a: Size2D, b: Size2D): boolean {
  return a.height === b.height && a.width === b.width;
}

function overlayImageCount(image: OverlayImage, batch: number): number {
  const pixelBytes = image.width * image.height * 4;
  let count: number;
  if (isGpuBuffer(image.data)) {
    count = image.count ?? 1;
    if (image.data.size < count * pixelBytes) {
      throw new ShapeError(`overlay image buffer holds ${image.data.size} bytes, fewer than ${count} RGBA8 images of ${image.width}×${image.height}`);
    }
  } else {
    if (!(image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray)) {
      throw new InvalidInputError('overlay image data must be a Uint8Array, Uint8ClampedArray or GPUBuffer of RGBA8 pixels');
    }
    count = image.data.length / pixelBytes;
    if (!Number.isInteger(count) || count < 1) {
      throw new ShapeError(`overlay image holds ${image.data.length} bytes, not a whole number of RGBA8 ${image.width}×${image.height} images (${pixelBytes} bytes each)`);
    }
  }
  if (count !== 1 && count !== batch) throw new ShapeError(`give 1 overlay image or one per batch image (${batch}); got ${count}`);
  return count;
}

/** Validates `request` for maps of `dims` and sizes its outputs. */
export function planOutputs(dims: FeatureDims, request: OutputRequest): OutputPlan {
  const maps = dims.batch * dims.targets;
  const feature = { height: dims.height, width: dims.width };
  if (request.size) checkSize('size', request.size);
  if (request.normalize !== undefined && !isNormalization(request.normalize)) {
    throw new InvalidInputError(`unknown normalize '${String(request.normalize)}'; use ${NORMALIZATIONS.join(' or ')}`);
  }
  const heatmapSize = (request.heatmap ?? true) ? (request.size ?? feature) : null;
  let overlaySize: Size2D | null = null;
  let imageCount = 1;
  if (request.overlay) {
    const { image, colormap, alpha } = request.overlay;
    if (colormap !== undefined && !isColormapName(colormap)) {
      throw new InvalidInputError(`unknown colormap '${String(colormap)}'; use one of ${COLORMAP_NAMES.join(', ')}`);
    }
    if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) throw new InvalidInputError(`overlay alpha must be in [0, 1]; got ${alpha}`);
    if (image) {
      checkSize('overlay image size', image);
      imageCount = overlayImageCount(image, dims.batch);
      overlaySize = { height: image.height, width: image.width };
    } else {
      overlaySize = request.overlay.size ?? request.size ?? feature;
      checkSize('overlay.size', overlaySize);
    }
  }
  if (!heatmapSize && !overlaySize) throw new InvalidInputError('nothing to compute: heatmap is false and no overlay was requested');
  return {
    heatmapSize,
    overlaySize,
    imageCount,
    heatmapBytes: heatmapSize ? maps * heatmapSize.height * heatmapSize.width * 4 : 0,
    overlayBytes: overlaySize ? maps * overlaySize.height * overlaySize.width * 4 : 0,
  };
}

/** Throws DeviceLimitError naming the first buffer over the device's binding limit. */
export function checkBufferLimits(device: GPUDevice, sizes: readonly (readonly [string, number])[]): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  for (const [name, bytes] of sizes) {
    if (bytes > limit) {
      throw new DeviceLimitError(
        `${name} need ${bytes} bytes, over this device's storage buffer limit of ${limit} bytes: ` +
          'explain fewer images or targets per call, or ask for a smaller output size',
      );
    }
  }
}
