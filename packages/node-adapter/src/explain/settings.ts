import { COLORMAP_NAMES, FUSE_MODES, InvalidInputError, isFuseMode, METHOD_NAMES, NORMALIZATIONS, isColormapName, isMethodName, isNormalization, methodsInAll, type ColormapName, type MethodName, type Normalization, type Size2D } from '@wgcam/core';
import type { TargetRequest } from '@wgcam/core/tfjs';
import { parseBackground, type Rgb } from '../io/background.js';
import type { OutputChoices } from './outputs.js';
import type { BatchOptions, RunOptions } from './types.js';

/** Run options checked once, before any image is touched, with their defaults filled in. */
export interface RunSettings {
  readonly methods: readonly MethodName[];
  /** 'all' was asked for: methods that do not fit the model are skipped, not failed. */
  readonly allMethods: boolean;
  readonly target: TargetRequest | undefined;
  readonly colormap: ColormapName;
  readonly normalize: Normalization;
  readonly alpha: number;
  readonly size: Size2D | undefined;
  readonly out: string | undefined;
  readonly choices: OutputChoices;
  readonly batch: number;
  /** Wait for the GPU between stages (exact stage times); off by default. */
  readonly profile: boolean;
  readonly signal: RunOptions['signal'];
  readonly onWork: RunOptions['onWork'];
  /** What transparent pixels are composited onto. */
  readonly background: Rgb;
  /** Options of the score-based methods, as given. */
  readonly scoreCam: RunOptions['scoreCam'];
  /** Smooth Grad-CAM++'s options, as given. */
  readonly smoothGrad: RunOptions['smoothGrad'];
  /** Eigen smoothing of the methods that take it. */
  readonly eigenSmooth: boolean;
  /** How several layers' maps are combined; undefined: the default (mean). */
  readonly fuse: RunOptions['fuse'];
  /** Test-time augmentation smoothing. */
  readonly augSmooth: boolean;
}

function methodsOf(method: BatchOptions['method']): MethodName[] {
  const given: unknown = method;
  if (given !== undefined && typeof given !== 'string' && !Array.isArray(given)) {
    throw new InvalidInputError(`method must be a method name, a list of them or 'all'; got ${JSON.stringify(given) ?? typeof given}`);
  }
  const list = method === undefined ? ['gradcam'] : method === 'all' ? methodsInAll() : typeof method === 'string' ? [method] : [...method];
  for (const name of list) {
    if (!isMethodName(name)) throw new InvalidInputError(`unknown method '${String(name)}'; use one of ${METHOD_NAMES.join(', ')} or all`);
  }
  if (list.length === 0) throw new InvalidInputError(`no method given; use one of ${METHOD_NAMES.join(', ')} or all`);
  return [...new Set(list as MethodName[])];
}

/**
 * Validates run options: unknown method, colormap or normalize, alpha outside [0, 1], a bad size or
 * batch, a per-image target list — each a typed InvalidInputError naming the fix.
 */
export function runSettings(options: BatchOptions): RunSettings {
  const methods = methodsOf(options.method);
  const colormap = options.colormap ?? 'jet';
  if (!isColormapName(colormap)) throw new InvalidInputError(`unknown colormap '${String(colormap)}'; use one of ${COLORMAP_NAMES.join(', ')}`);
  const normalize = options.normalize ?? 'output';
  if (!isNormalization(normalize)) throw new InvalidInputError(`unknown normalize '${String(normalize)}'; use ${NORMALIZATIONS.join(' or ')}`);
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new InvalidInputError(`alpha must be in [0, 1]; got ${alpha}`);
  const batch = options.batch ?? 8;
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidInputError(`batch must be a positive integer; got ${batch}`);
  const size = options.size;
  if (size && !(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0)) {
    throw new InvalidInputError(`size must be positive whole numbers; got ${size.width}×${size.height}`);
  }
  if (options.fuse !== undefined && !isFuseMode(options.fuse)) throw new InvalidInputError(`unknown fuse '${String(options.fuse)}'; use ${FUSE_MODES.join(' or ')}`);
  if (options.augSmooth !== undefined && typeof options.augSmooth !== 'boolean') throw new InvalidInputError(`augSmooth must be true or false; got ${String(options.augSmooth)}`);
  if (options.eigenSmooth !== undefined && typeof options.eigenSmooth !== 'boolean') throw new InvalidInputError(`eigenSmooth must be true or false; got ${String(options.eigenSmooth)}`);
  if (Array.isArray(options.target)) {
    throw new InvalidInputError('give one target for every image (a class index, a label, "top1" or { topK }); per-image target lists belong to Explainer.explain');
  }
  return {
    methods,
    allMethods: options.method === 'all',
    target: options.target,
    colormap,
    normalize,
    alpha,
    size,
    out: options.out,
    choices: { npy: options.npy ?? false, grayPng: options.grayPng ?? false, panel: options.panel ?? methods.length > 1 },
    batch,
    profile: options.profile ?? false,
    signal: options.signal,
    onWork: options.onWork,
    background: parseBackground(options.background ?? 'white'),
    scoreCam: options.scoreCam,
    smoothGrad: options.smoothGrad,
    eigenSmooth: options.eigenSmooth ?? false,
    fuse: options.fuse,
    augSmooth: options.augSmooth ?? false,
  };
}
