import * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { InvalidInputError, throwIfCancelled } from '../errors.js';
import { fusableMethods } from '../fused-plan.js';
import { isFuseMode, FUSE_MODES } from '../fused-stages.js';
import type { Size2D } from '../inputs.js';
import { isMethodName, METHOD_NAMES, METHODS, type MethodName } from '../methods.js';
import type { OutputRequest } from '../output-plan.js';
import type { CamResult } from '../result.js';
import { AUG_SMOOTH, augmentInputs, copyOfEach, repeatRows } from './augment.js';
import { sharedOnDevice } from './device-tensor.js';
import { itemsOf, type ExplainManyRequest, type ManyExplanations } from './explain-methods.js';
import type { Explanation, ExplanationItem, Prediction } from './explainer.js';
import { checkImages, toModelInput, type ImageInput, type Preprocess } from './images.js';
import { overlayOnDevice, type OverlayOnDevice } from './overlay-image.js';
import type { MultiSplit } from './split-multi.js';
import { chooseTargets, readPredictions } from './targets.js';
import { flushBackend, type BridgedTensor } from './tensor-bridge.js';

/** What a fused explanation needs from its Explainer. */
export interface FusedContext {
  readonly multi: MultiSplit;
  readonly engine: CamEngine;
  readonly labels: readonly string[] | undefined;
  readonly preprocess: Preprocess;
}

function checkFusedMethods(methods: readonly MethodName[]): MethodName[] {
  if (!Array.isArray(methods) || methods.length === 0) throw new InvalidInputError(`methods must list at least one of ${METHOD_NAMES.join(', ')}`);
  const allowed = fusableMethods();
  for (const m of methods) {
    if (typeof m !== 'string' || !isMethodName(m)) throw new InvalidInputError(`unknown method '${String(m)}'; use one of ${METHOD_NAMES.join(', ')}`);
    if (!allowed.includes(m)) {
      throw new InvalidInputError(`${METHODS[m].title} does not run over several layers or with augSmooth (it needs ${METHODS[m].needs}); use one of ${allowed.join(', ')}`);
    }
  }
  if (new Set(methods).size !== methods.length) throw new InvalidInputError(`methods lists a method twice (${methods.join(', ')}); list each once`);
  return [...methods];
}

function fusedSize(size: ExplainManyRequest['size'], image: Size2D, input: tf.Tensor4D, activations: readonly tf.Tensor4D[]): Size2D {
  if (size === undefined || size === 'image') return image;
  if (size === 'input') return { height: input.shape[1], width: input.shape[2] };
  // Several layers: the largest feature height and width (torch-cam's default), where no layer is downsampled.
  if (size === 'feature') return { height: Math.max(...activations.map((a) => a.shape[1])), width: Math.max(...activations.map((a) => a.shape[2])) };
  return size;
}

/**
 * Explains images over several target layers and/or with test-time augmentation
 * smoothing: one forward pass of the (augmented) batch gives every layer's activations,
 * one backward pass per target every layer's gradients (LayersModel; a GraphModel pays
 * one per layer), and each method's fused map is one engine submit (computeFused).
 * Targets are chosen on the unaugmented image and explained in every augmented copy.
 *
 * @example
 * const { explanations } = await explainFused(context, [image], { methods: ['gradcam'], fuse: 'max', augSmooth: true });
 */
export async function explainFused(context: FusedContext, images: readonly ImageInput[], request: ExplainManyRequest): Promise<ManyExplanations> {
  const methods = checkFusedMethods(request.methods);
  const fuse = request.fuse ?? 'mean';
  if (!isFuseMode(fuse)) throw new InvalidInputError(`unknown fuse '${String(fuse)}'; use ${FUSE_MODES.join(' or ')}`);
  if (request.augSmooth !== undefined && typeof request.augSmooth !== 'boolean') throw new InvalidInputError(`augSmooth must be true or false; got ${String(request.augSmooth)}`);
  if (request.normalize === 'feature') {
    throw new InvalidInputError("normalize 'feature' does not apply to several layers or augSmooth: each layer's map is normalised at its own feature resolution and the result at the output's; leave normalize out (or 'output')");
  }
  const imageSize = checkImages(images);
  const { multi, engine, labels } = context;
  const split = multi.splits[0]!;
  const augments = request.augSmooth ? AUG_SMOOTH.flips.length : 1;
  const needsGradients = methods.some((m) => METHODS[m].needs === 'gradients');
  const owned: tf.Tensor[] = [];
  const onGpu: BridgedTensor[] = [];
  const results: CamResult[] = [];
  let underlay: OverlayOnDevice | null = null;
  const sync = async (): Promise<void> => {
    if (request.profile) {
      flushBackend();
      await engine.device.queue.onSubmittedWorkDone();
    }
  };
  const t0 = tf.util.now();
  try {
    throwIfCancelled(request.signal, 'the explanation');
    const input = toModelInput(images, split.inputShape, context.preprocess);
    owned.push(input);
    const x = augments > 1 ? augmentInputs(input) : input;
    if (x !== input) owned.push(x);
    await sync();
    const t1 = tf.util.now();
    const { activations, logits } = tf.tidy(() => multi.forward(x));
    owned.push(...activations, logits);
    // The image's own prediction: the unaugmented copy's logits.
    const imageLogits = augments > 1 ? copyOfEach(logits, augments, AUG_SMOOTH.identity) : logits;
    if (imageLogits !== logits) owned.push(imageLogits);
    const chosen = chooseTargets(request.target, imageLogits, labels);
    owned.push(chosen.indices);
    const layerTargets = chosen.known ?? chosen.indices;
    const copyTargets = augments > 1 ? repeatRows(layerTargets, augments) : layerTargets;
    if (copyTargets instanceof tf.Tensor && copyTargets !== chosen.indices) owned.push(copyTargets);
    const gradients = needsGradients ? multi.gradients(activations, x, copyTargets, request.score ?? 'logit') : [];
    owned.push(...gradients);
    if (request.overlay !== false) underlay = await overlayOnDevice(images, engine);
    const size = fusedSize(request.size, imageSize, input, activations);
    const outputs: OutputRequest = {
      size,
      ...(request.overlay === false
        ? {}
        : { overlay: { image: underlay!.image, ...(request.colormap ? { colormap: request.colormap } : {}), ...(request.alpha !== undefined ? { alpha: request.alpha } : {}) } }),
    };
    const layers = [];
    for (let l = 0; l < activations.length; l++) {
      const a = await sharedOnDevice(activations[l]!, engine, `layer ${l} activations`);
      onGpu.push(a);
      let g: BridgedTensor | null = null;
      if (gradients[l]) {
        g = await sharedOnDevice(gradients[l]!, engine, `layer ${l} gradients`);
        onGpu.push(g);
      }
      layers.push({ activations: a.source, ...(g ? { gradients: g.source } : {}) });
    }
    await sync();
    const tModel = tf.util.now();
    flushBackend();
    const cams: number[] = [];
    for (const method of methods) {
      throwIfCancelled(request.signal, 'the explanation');
      const start = tf.util.now();
      results.push(engine.computeFused({ method, layers, fuse, ...(augments > 1 ? { augment: { flips: AUG_SMOOTH.flips } } : {}), ...outputs }));
      await sync();
      cams.push(tf.util.now() - start);
    }
    const t2 = tf.util.now();
    const [reads, read] = await Promise.all([Promise.all(results.map((r) => r.read())), readPredictions(imageLogits, chosen)]);
    const rows = chosen.known ?? read.targets;
    const probs = read.probabilities;
    const t3 = tf.util.now();
    const predictions: Prediction[][] = probs.map((p) =>
      p
        .map((probability, classIndex) => ({ classIndex, label: labels?.[classIndex], probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, 5),
    );
    const shared = { preprocess: t1 - t0, model: tModel - t1, readback: t3 - t2, total: t3 - t0 };
    const explanations = methods.map((method, i): Explanation => ({
      method,
      layer: multi.layers.join(','),
      layers: multi.layers,
      automaticLayer: multi.splits.length === 1 && split.automatic,
      ...(request.augSmooth ? { augSmooth: true } : {}),
      ...(multi.splits.length > 1 ? { fuse } : {}),
      heatmapSize: size,
      imageSize,
      items: itemsOf(reads[i]!, results[i]!.dims.targets, rows, probs, labels, size, imageSize),
      predictions,
      timings: { ...shared, cam: cams[i]! },
      methodMs: cams[i]!,
    }));
    const passes = multi.passes(needsGradients ? chosen.k : 0);
    return {
      explanations,
      timings: { ...shared, cam: cams.reduce((s, c) => s + c, 0) },
      passes: { forward: passes.forward, backward: passes.backward, maskedForward: 0 },
    };
  } finally {
    for (const r of results) r.release();
    for (const b of onGpu) b.release();
    underlay?.release();
    tf.dispose(owned);
  }
}
