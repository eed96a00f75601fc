import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { AUG_SMOOTH_FLIPS, CamEngine, InvalidInputError, METHODS, type ColormapName, type ComputeOptions, type FuseMode, type LayerTensors, type Normalization, type MethodName, type ScoreCamVariant, type TensorSource } from '@wgcam/core';
import type { CamResult } from '@wgcam/core';
import { createNodeDevice } from '../device.js';
import { OutputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { encodePng, readImage } from '../io/images.js';
import { NpyFormatError, readNpy, writeNpy } from '../io/npy.js';
import { scoreOptionsOf, type ScoreFlags } from './score-options.js';

/** Options of `wgcam compute`, as commander parses them. */
export interface ComputeCommandOptions extends ScoreFlags {
  method: MethodName;
  activations: string;
  gradients?: string;
  weights?: string;
  scores?: string;
  inputSize?: { height: number; width: number };
  variant?: ScoreCamVariant;
  /** Logits of the unmasked input, [B, classes] (baseline variant, SS-CAM, IS-CAM, Ablation-CAM). */
  baseline?: string;
  class?: number[];
  size?: { height: number; width: number };
  image?: string;
  colormap: ColormapName;
  normalize: Normalization;
  alpha: number;
  out: string;
  software?: boolean;
  /** Several layers (comma-separated --activations / --gradients): how their maps are combined. */
  fuse?: FuseMode;
  /** The batch holds each image's six aug_smooth copies (pytorch-grad-cam's order). */
  augSmooth?: boolean;
}

/**
 * Several layers (`--activations A1.npy,A2.npy --gradients G1.npy,G2.npy`, same order) or
 * `--aug-smooth`: one layer's tensors per file pair, for CamEngine.computeFused.
 */
async function loadLayers(options: ComputeCommandOptions): Promise<LayerTensors[]> {
  const method = options.method;
  const activations = options.activations.split(',');
  const needsGradients = METHODS[method].needs === 'gradients';
  const gradients = needsGradients ? requireFlag(options.gradients, '--gradients G.npy (one per layer, comma-separated)', method).split(',') : [];
  if (needsGradients && gradients.length !== activations.length) {
    throw new InvalidInputError(`--activations names ${activations.length} layer file(s) but --gradients ${gradients.length}; give one gradients file per activations file, in the same order`);
  }
  return Promise.all(
    activations.map(async (path, i) => ({
      activations: await loadTensor(path, `activations of layer ${i}`),
      ...(needsGradients ? { gradients: await loadTensor(gradients[i]!, `gradients of layer ${i}`) } : {}),
    })),
  );
}

async function loadTensor(path: string, what: string): Promise<TensorSource> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new NpyFormatError(`${what} file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return readNpy(bytes, path);
}

function requireFlag<T>(value: T | undefined, flag: string, method: MethodName): T {
  if (value === undefined) throw new InvalidInputError(`--method ${method} needs ${flag}`);
  return value;
}

/** Paths of the overlay PNGs beside the heatmap file: one, or one per (image, target). */
function overlayPaths(out: string, batch: number, targets: number): string[] {
  const stem = extname(out) === '.npy' ? out.slice(0, -4) : out;
  if (batch * targets === 1) return [`${stem}.png`];
  const paths: string[] = [];
  for (let b = 0; b < batch; b++) for (let k = 0; k < targets; k++) paths.push(targets === 1 ? `${stem}-${b}.png` : `${stem}-${b}-${k}.png`);
  return paths;
}

/** `wgcam compute`: one explanation from .npy activations/gradients, written as .npy (+ PNG). */
export async function computeCommand(options: ComputeCommandOptions): Promise<void> {
  // Before any GPU work: a folder as --out would only fail after the heatmap was computed.
  const existing = await stat(options.out).catch(() => null);
  if (existing?.isDirectory()) {
    throw new OutputError(`--out ${options.out} is a folder; give the heatmap file's path, e.g. --out ${join(options.out, 'heatmap.npy')}`);
  }
  const method = options.method;
  const needs = METHODS[method].needs;
  const fused = options.activations.includes(',') || options.augSmooth === true || options.fuse !== undefined;
  if (fused && options.normalize === 'feature') throw new InvalidInputError("--normalize feature does not apply to several layers or --aug-smooth: each layer's map is normalised at its feature resolution and the result at the output's");
  if (fused && options.eigenSmooth) throw new InvalidInputError('--eigen-smooth does not combine with several layers or --aug-smooth; use one of them');
  const layers = fused ? await loadLayers(options) : null;
  const activations = layers ? layers[0]!.activations : await loadTensor(options.activations, 'activations');
  const request: { -readonly [K in keyof ComputeOptions]: ComputeOptions[K] } = { method, activations };
  switch (layers ? 'fused' : needs) {
    case 'fused':
      // Each layer's tensors are in `layers`; computeFused refuses methods that cannot fuse.
      break;
    case 'activations':
      // Class-agnostic (Eigen-CAM): no gradients, no class; one map per image.
      break;
    case 'gradients':
      request.gradients = await loadTensor(requireFlag(options.gradients, '--gradients G.npy', method), 'gradients');
      break;
    case 'dense-kernel':
      request.denseKernel = await loadTensor(requireFlag(options.weights, '--weights W.npy (the dense kernel, [C, classes])', method), 'weights');
      break;
    case 'scores': {
      const feedsInput = METHODS[method].passes?.feeds !== 'ablated-head';
      request.scoreCam = {
        ...scoreOptionsOf(options),
        scores: await loadTensor(requireFlag(options.scores, '--scores S.npy (logits of every masked or ablated pass, [passes, classes])', method), 'scores'),
        ...(feedsInput ? { inputSize: requireFlag(options.inputSize, '--input-size HxW (the model input the masks were made at)', method) } : {}),
        ...(options.baseline !== undefined ? { baseline: await loadTensor(options.baseline, 'baseline') } : {}),
      };
      break;
    }
  }
  if (needs === 'dense-kernel' || needs === 'scores') {
    const classes = requireFlag(options.class, '--class K (or K1,K2,... for several targets)', method);
    const batch = activations.shape[0] ?? 1;
    request.targets = Array.from({ length: batch }, () => classes);
  }
  if (options.size) request.size = options.size;
  if (options.eigenSmooth) request.eigenSmooth = true;
  request.normalize = options.normalize;
  if (options.image) {
    const image = await readImage(options.image);
    request.overlay = { image, colormap: options.colormap, alpha: options.alpha };
  }

  const node = await createNodeDevice({ prefer: options.software ? 'software' : 'auto' });
  const engine = new CamEngine(node.device);
  try {
    const result: CamResult = layers
      ? engine.computeFused({
          ...request,
          layers,
          ...(options.fuse !== undefined ? { fuse: options.fuse } : {}),
          ...(options.augSmooth ? { augment: { flips: AUG_SMOOTH_FLIPS } } : {}),
          // The per-layer and fused normalisations are fixed.
          normalize: 'output',
        })
      : engine.compute(request);
    const { heatmap, overlay } = await result.read();
    const { batch, targets } = result.dims;
    const size = result.heatmapSize!;
    await mkdir(dirname(options.out), { recursive: true }).catch((error: unknown) => {
      throw new OutputError(`cannot create the folder of --out ${options.out} (${(error as NodeJS.ErrnoException).code ?? String(error)}); choose a folder you can write to`, { cause: error });
    });
    const shape = targets === 1 ? [batch, size.height, size.width] : [batch, targets, size.height, size.width];
    await writeFileAtomic(options.out, writeNpy(heatmap!, shape));
    process.stdout.write(`heatmap ${options.out} (${shape.join('×')}, float32)\n`);
    if (overlay && result.overlaySize) {
      const { height, width } = result.overlaySize;
      const paths = overlayPaths(options.out, batch, targets);
      for (const [i, path] of paths.entries()) {
        const pixels = overlay.subarray(i * height * width * 4, (i + 1) * height * width * 4);
        await writeFileAtomic(path, await encodePng({ data: pixels, width, height }));
        process.stdout.write(`overlay ${path} (${width}×${height})\n`);
      }
    }
    result.release();
  } finally {
    engine.destroy();
    node.destroy();
  }
}
