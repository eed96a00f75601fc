import type * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors.js';

/**
 * Pixel conventions named after the Keras / torchvision preprocessing functions, so a
 * user picks the one the model was trained with by the name its tutorial uses.
 */
export type PreprocessPreset = 'unit' | 'tf' | 'caffe' | 'torch' | 'raw';

/**
 * An explicit per-channel transform of pixel values in 0..255: the channels are first put
 * in `channelOrder` (default 'rgb'), then each becomes x·scale + offset (a number applies
 * to every channel, a list gives one value per channel in the model's order).
 */
export interface ChannelTransform {
  readonly scale: number | readonly number[];
  readonly offset: number | readonly number[];
  readonly channelOrder?: 'rgb' | 'bgr';
}

/** How pixel values in 0..255 become model inputs: a preset, a per-channel transform, or a function of the resized RGB batch. */
export type Preprocess = PreprocessPreset | ChannelTransform | ((pixels: tf.Tensor4D) => tf.Tensor4D);

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
// Keras's caffe mode subtracts these from B, G, R (in that order) after swapping RGB → BGR.
const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68] as const;

/** What each preset computes and which models expect it. */
export const PREPROCESS_PRESETS: Readonly<Record<PreprocessPreset, { readonly transform: ChannelTransform; readonly description: string }>> = {
  unit: { transform: { scale: 1 / 255, offset: 0 }, description: 'x / 255 (the bundled shapes model)' },
  tf: { transform: { scale: 1 / 127.5, offset: -1 }, description: 'x / 127.5 − 1, range [−1, 1] (MobileNet v1/v2, Xception, Inception, Teachable Machine)' },
  caffe: {
    transform: { scale: 1, offset: CAFFE_BGR_MEAN.map((m) => -m), channelOrder: 'bgr' },
    description: 'RGB → BGR, minus the ImageNet means (103.939, 116.779, 123.68) (ResNet50, VGG16/19)',
  },
  torch: {
    transform: { scale: IMAGENET_STD.map((s) => 1 / (255 * s)), offset: IMAGENET_MEAN.map((m, i) => -m / IMAGENET_STD[i]!) },
    description: '(x / 255 − (0.485, 0.456, 0.406)) / (0.229, 0.224, 0.225) (DenseNet, PyTorch and ONNX exports)',
  },
  raw: { transform: { scale: 1, offset: 0 }, description: 'x unchanged, 0..255 (EfficientNet, MobileNetV3, ConvNeXt: they rescale inside)' },
};

/** The preset names, for option lists and help texts. */
export const PREPROCESS_PRESET_NAMES = Object.keys(PREPROCESS_PRESETS) as PreprocessPreset[];

export function isPreprocessPreset(name: unknown): name is PreprocessPreset {
  return typeof name === 'string' && Object.hasOwn(PREPROCESS_PRESETS, name);
}

function checkValues(what: string, value: unknown): void {
  const list = typeof value === 'number' ? [value] : Array.isArray(value) ? (value as unknown[]) : null;
  if (!list || (list.length !== 1 && list.length !== 3) || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InvalidInputError(`preprocessing ${what} must be a finite number or a list of 3 (one per channel); got ${JSON.stringify(value)}`);
  }
}

/**
 * The transform or function behind any Preprocess value, checked: unknown preset names,
 * lists that are not 1 or 3 long, non-finite values and unknown channel orders are
 * InvalidInputErrors that list what is accepted.
 *
 * @example
 * resolvePreprocess('caffe'); // { scale: 1, offset: [-103.939, -116.779, -123.68], channelOrder: 'bgr' }
 */
export function resolvePreprocess(preprocess: Preprocess): ChannelTransform | ((pixels: tf.Tensor4D) => tf.Tensor4D) {
  if (typeof preprocess === 'function') return preprocess;
  if (typeof preprocess === 'string') {
    if (!isPreprocessPreset(preprocess)) {
      throw new InvalidInputError(`unknown preprocessing '${preprocess}'; use one of ${PREPROCESS_PRESET_NAMES.join(', ')} or explicit scale/offset`);
    }
    return PREPROCESS_PRESETS[preprocess].transform;
  }
  if (typeof preprocess !== 'object' || preprocess === null) {
    throw new InvalidInputError(`preprocessing must be a preset name (${PREPROCESS_PRESET_NAMES.join(', ')}), { scale, offset, channelOrder } or a function; got ${JSON.stringify(preprocess)}`);
  }
  checkValues('scale', preprocess.scale);
  checkValues('offset', preprocess.offset);
  if (preprocess.channelOrder !== undefined && preprocess.channelOrder !== 'rgb' && preprocess.channelOrder !== 'bgr') {
    throw new InvalidInputError(`channelOrder must be 'rgb' or 'bgr'; got ${JSON.stringify(preprocess.channelOrder)}`);
  }
  return preprocess;
}

function numbers(text: string, what: string): number | number[] {
  const values = text.split(',').map((part) => {
    const [numerator, denominator, ...rest] = part.split('/').map((s) => s.trim());
    const value = rest.length === 0 && numerator ? Number(numerator) / (denominator === undefined ? 1 : Number(denominator)) : Number.NaN;
    if (!Number.isFinite(value)) throw new InvalidInputError(`preprocessing ${what} '${text}' is not a number or a comma-separated list of 3 numbers (fractions like 1/127.5 are allowed)`);
    return value;
  });
  return values.length === 1 ? values[0]! : values;
}

/**
 * Reads preprocessing as typed on a command line: a preset name, or explicit
 * `scale=S[,S,S];offset=O[,O,O][;order=rgb|bgr]`.
 *
 * @example
 * parsePreprocess('torch');
 * parsePreprocess('scale=1/127.5;offset=-1');                       // same as 'tf'
 * parsePreprocess('scale=1;offset=-103.939,-116.779,-123.68;order=bgr'); // same as 'caffe'
 */
export function parsePreprocess(text: string): PreprocessPreset | ChannelTransform {
  const trimmed = text.trim();
  if (!trimmed.includes('=')) {
    resolvePreprocess(trimmed as PreprocessPreset);
    return trimmed as PreprocessPreset;
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.split(';').filter((p) => p.trim() !== '')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!key || value === undefined || !['scale', 'offset', 'order'].includes(key) || fields.has(key)) {
      throw new InvalidInputError(`cannot read preprocessing '${text}': write a preset (${PREPROCESS_PRESET_NAMES.join(', ')}) or scale=S;offset=O[;order=rgb|bgr], each once`);
    }
    fields.set(key, value);
  }
  const order = fields.get('order');
  const transform: ChannelTransform = {
    scale: numbers(fields.get('scale') ?? '1', 'scale'),
    offset: numbers(fields.get('offset') ?? '0', 'offset'),
    ...(order !== undefined ? { channelOrder: order as 'rgb' | 'bgr' } : {}),
  };
  resolvePreprocess(transform);
  return transform;
}

/** A short human-readable name of a Preprocess value, for reports. */
export function describePreprocess(preprocess: Preprocess): string {
  if (typeof preprocess === 'function') return 'custom function';
  if (typeof preprocess === 'string') return preprocess;
  const list = (v: number | readonly number[]): string => (typeof v === 'number' ? String(v) : v.join(','));
  return `scale=${list(preprocess.scale)};offset=${list(preprocess.offset)}${preprocess.channelOrder ? `;order=${preprocess.channelOrder}` : ''}`;
}
