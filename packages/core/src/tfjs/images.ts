import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors.js';
import { resolvePreprocess, type Preprocess } from './preprocess.js';

export type { Preprocess } from './preprocess.js';

/** RGBA8 pixels in memory, as decoders and canvases give them. */
export interface RgbaPixels {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** An image to explain: RGBA8 pixels, or a [H, W, 3|4] / [B, H, W, 3|4] pixel tensor with values in 0..255. */
export type ImageInput = RgbaPixels | tf.Tensor3D | tf.Tensor4D;

/** The bundled shapes model's convention: pixels / 255 (the 'unit' preset). */
export const UNIT_SCALE: Preprocess = 'unit';

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
 * half-pixel centres to the model's size (a dynamic dimension, null, keeps the image's),
 * then put in the preprocessing's channel order and scaled per channel.
 *
 * @example
 * const input = toModelInput([rgba], [224, 224, 3], 'caffe');
 */
export function toModelInput(images: readonly ImageInput[], inputShape: readonly [number | null, number | null, number], preprocess: Preprocess): tf.Tensor4D {
  const [fixedHeight, fixedWidth, channels] = inputShape;
  if (channels !== 3 && channels !== 1) throw new InvalidInputError(`the model takes ${channels}-channel input; wgcam feeds RGB (3) or grayscale (1) images`);
  const transform = resolvePreprocess(preprocess);
  return tf.tidy(() => {
    const batch = images.map((image) => {
      const t = isRgba(image)
        ? tf.tensor3d(Uint8Array.from(image.data), [image.height, image.width, 4], 'int32')
        : ((image.rank === 4 ? image : image.expandDims(0)) as tf.Tensor);
      const pixels = (t.rank === 3 ? t.expandDims(0) : t) as tf.Tensor4D;
      return pixels.slice([0, 0, 0, 0], [-1, -1, -1, 3]).toFloat();
    });
    const rgb = tf.concat(batch, 0) as tf.Tensor4D;
    const height = fixedHeight ?? rgb.shape[1];
    const width = fixedWidth ?? rgb.shape[2];
    const resized = rgb.shape[1] === height && rgb.shape[2] === width ? rgb : tf.image.resizeBilinear(rgb, [height, width], false, true);
    if (typeof transform === 'function') return transform(resized);
    let ordered = transform.channelOrder === 'bgr' ? (tf.reverse(resized, 3) as tf.Tensor4D) : resized;
    if (channels === 1) ordered = ordered.mean(3, true) as tf.Tensor4D;
    const perChannel = (v: number | readonly number[]): tf.Tensor1D => {
      const list = typeof v === 'number' ? [v] : [...v];
      if (channels === 1 && list.length === 3) throw new InvalidInputError('the model takes 1-channel input; give one scale and offset, not three');
      return tf.tensor1d(list);
    };
    return ordered.mul(perChannel(transform.scale)).add(perChannel(transform.offset)) as tf.Tensor4D;
  });
}
