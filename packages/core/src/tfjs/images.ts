import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors.js';

/** RGBA8 pixels in memory, as decoders and canvases give them. */
export interface RgbaPixels {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** An image to explain: RGBA8 pixels, or a [H, W, 3|4] / [B, H, W, 3|4] pixel tensor with values in 0..255. */
export type ImageInput = RgbaPixels | tf.Tensor3D | tf.Tensor4D;

/** How pixel values in 0..255 become model inputs: x·scale + offset per channel, or a function of the resized batch. */
export type Preprocess = { readonly scale: number | readonly number[]; readonly offset: number | readonly number[] } | ((pixels: tf.Tensor4D) => tf.Tensor4D);

/** The bundled shapes model's convention: pixels / 255. */
export const UNIT_SCALE: Preprocess = { scale: 1 / 255, offset: 0 };

function isRgba(image: ImageInput): image is RgbaPixels {
  return !(image instanceof tf.Tensor);
}

/** Height and width of an image input. */
export function imageSize(image: ImageInput): { height: number; width: number } {
  if (isRgba(image)) return { height: image.height, width: image.width };
  const shape = image.shape;
  return shape.length === 3 ? { height: shape[0], width: shape[1] } : { height: shape[1], width: shape[2] };
}

/** RGBA8 bytes of `images` (for the overlay), all of one size. */
export async function rgbaBytes(images: readonly ImageInput[]): Promise<Uint8Array> {
  const parts = await Promise.all(
    images.map(async (image) => {
      if (isRgba(image)) return new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
      const rgba = tf.tidy(() => {
        const t = (image.rank === 3 ? image.expandDims(0) : image) as tf.Tensor4D;
        const channels = t.shape[3];
        const rgb = channels === 4 ? t.slice([0, 0, 0, 0], [-1, -1, -1, 3]) : t;
        const alpha = tf.fill([...rgb.shape.slice(0, 3), 1] as [number, number, number, number], 255);
        return tf.concat([rgb.clipByValue(0, 255).round(), alpha], 3).toInt();
      });
      const data = await rgba.data();
      rgba.dispose();
      return Uint8Array.from(data);
    }),
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Checks that every image has 3 or 4 channels and all share one size. */
export function checkImages(images: readonly ImageInput[]): { height: number; width: number } {
  if (images.length === 0) throw new InvalidInputError('no image to explain');
  const size = imageSize(images[0]!);
  for (const [i, image] of images.entries()) {
    const s = imageSize(image);
    if (s.height !== size.height || s.width !== size.width) {
      throw new InvalidInputError(`image ${i} is ${s.width}×${s.height} but image 0 is ${size.width}×${size.height}; explain images of different sizes in separate calls`);
    }
    if (isRgba(image)) {
      if (!(image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray) || image.data.length !== image.width * image.height * 4) {
        throw new InvalidInputError(`image ${i}: RGBA data must hold width·height·4 = ${image.width * image.height * 4} bytes`);
      }
    } else {
      const channels = image.shape[image.rank - 1];
      if ((image.rank !== 3 && image.rank !== 4) || (channels !== 3 && channels !== 4)) {
        throw new InvalidInputError(`image ${i} has shape [${image.shape.join(', ')}]; give [H, W, 3|4] or [B, H, W, 3|4] pixels`);
      }
    }
  }
  if (size.height < 1 || size.width < 1) throw new InvalidInputError('images must be at least 1×1');
  return size;
}

/**
 * Turns images into the model's input batch on the current backend: RGB, resized with
 * half-pixel centres to the model's size, then preprocessed.
 *
 * @example
 * const input = toModelInput([rgba], [32, 32, 3], UNIT_SCALE);
 */
export function toModelInput(images: readonly ImageInput[], inputShape: readonly [number, number, number], preprocess: Preprocess): tf.Tensor4D {
  const [height, width, channels] = inputShape;
  if (channels !== 3 && channels !== 1) throw new InvalidInputError(`the model takes ${channels}-channel input; wgcam feeds RGB (3) or grayscale (1) images`);
  return tf.tidy(() => {
    const batch = images.map((image) => {
      const t = isRgba(image)
        ? tf.tensor3d(Uint8Array.from(image.data), [image.height, image.width, 4], 'int32')
        : ((image.rank === 4 ? image : image.expandDims(0)) as tf.Tensor);
      const pixels = (t.rank === 3 ? t.expandDims(0) : t) as tf.Tensor4D;
      return pixels.slice([0, 0, 0, 0], [-1, -1, -1, 3]).toFloat();
    });
    let rgb = tf.concat(batch, 0) as tf.Tensor4D;
    if (channels === 1) rgb = rgb.mean(3, true) as tf.Tensor4D;
    const resized = rgb.shape[1] === height && rgb.shape[2] === width ? rgb : tf.image.resizeBilinear(rgb, [height, width], false, true);
    if (typeof preprocess === 'function') return preprocess(resized);
    return resized.mul(tf.tensor1d(typeof preprocess.scale === 'number' ? [preprocess.scale] : [...preprocess.scale])).add(tf.tensor1d(typeof preprocess.offset === 'number' ? [preprocess.offset] : [...preprocess.offset])) as tf.Tensor4D;
  });
}
