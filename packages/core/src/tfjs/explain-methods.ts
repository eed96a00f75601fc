import * as tf from '@tensorflow/tfjs';
import type { CamResults, MethodSpec } from '../compute-many.js';
import type { CamEngine } from '../engine.js';
import { InvalidInputError, throwIfCancelled } from '../errors.js';
import type { Size2D } from '../inputs.js';
import { isMethodName, METHOD_NAMES, METHODS, type MethodName } from '../methods.js';
import { isNormalization, NORMALIZATIONS, type OutputRequest } from '../output-plan.js';
import type { CamResult } from '../result.js';
import { sharedOnDevice } from './device-tensor.js';
import { ModelError } from './errors.js';
import type { ExplainRequest, Explanation, ExplanationItem, ExplainTimings, Prediction } from './explainer.js';
import { targetGradients } from './gradients.js';
import { noisyGradients, smoothGradPlan } from './noisy-gradients.js';
import { checkImages, toModelInput, type ImageInput, type Preprocess } from './images.js';
import { shareImageOnDevice } from './shared-image.js';
import { runScorePasses, type MaskBufferSlot, type MaskedLogits } from './scorecam-runner.js';
import { scorePlan } from '../score-plan.js';
import type { ScoreCamSession, ScoreMethodName } from '../scorecam-session.js';
import type { SplitModel } from './split-model.js';
import { overlayOnDevice, type OverlayOnDevice } from './overlay-image.js';
import { chooseTargets, readPredictions, readTargets } from './targets.js';
import { bridgeTensor, flushBackend, type BridgedTensor } from './tensor-bridge.js';

/** Several methods on the same images: every ExplainRequest option but `method`. */
export interface ExplainManyRequest extends Omit<ExplainRequest, 'method'> {
  /** The methods to compute, in the order their explanations are returned. */
  readonly methods: readonly MethodName[];
}

/** The TF.js model passes one explainMany call ran (what it shares between its methods). */
export interface ModelPasses {
  /** Full forward passes (input → activations and logits): 1, plus 1 batched pass of the noisy copies for Smooth Grad-CAM++. */
  readonly forward: number;
  /** Backward passes, one per explained target (0 when no method needs gradients), and one more per target over the noisy copies for Smooth Grad-CAM++. */
  readonly backward: number;
  /** Batched forward passes of the score-based methods over masked inputs (or Ablation-CAM's head over ablated activations); 0 without them. A Faster Score-CAM after a Score-CAM with the same masks adds none: it takes their logits. */
  readonly maskedForward: number;
}

/** Several methods' explanations from one model pass. */
export interface ManyExplanations {
  /** One per requested method, in request order. Their `timings` count shared stages (preprocess, model, readback) in each; `cam` is an equal share of recording the submits of every method's maps. */
  readonly explanations: readonly Explanation[];
  /** The whole call's stage times, each stage counted once: sum these, not the explanations'. */
  readonly timings: ExplainTimings;
  readonly passes: ModelPasses;
}

/** What explainMany needs from its Explainer. */
export interface ExplainContext {
  readonly split: SplitModel;
  readonly engine: CamEngine;
  readonly labels: readonly string[] | undefined;
  readonly preprocess: Preprocess;
  readonly maskSlot: MaskBufferSlot;
}

function checkMethods(methods: readonly MethodName[]): MethodName[] {
  if (!Array.isArray(methods) || methods.length === 0) throw new InvalidInputError(`methods must list at least one of ${METHOD_NAMES.join(', ')}`);
  for (const m of methods) {
    if (typeof m !== 'string' || !isMethodName(m)) throw new InvalidInputError(`unknown method '${String(m)}'; use one of ${METHOD_NAMES.join(', ')}`);
  }
  const unique = [...new Set(methods)];
  if (unique.length !== methods.length) throw new InvalidInputError(`methods lists a method twice (${methods.join(', ')}); list each once`);
  return unique;
}

function heatmapSizeOf(size: ExplainRequest['size'], image: Size2D, input: tf.Tensor4D, activations: tf.Tensor4D): Size2D {
  if (size === undefined || size === 'image') return image;
  // The model input as it ran (a model with a dynamic input size runs at the image's size).
  if (size === 'input') return { height: input.shape[1], width: input.shape[2] };
  if (size === 'feature') return { height: activations.shape[1], width: activations.shape[2] };
  return size;
}

interface MethodRun {
  readonly method: MethodName;
  readonly result: CamResult;
  /** Milliseconds of this method's own model work (Score-CAM's masked forwards). */
  readonly model: number;
  /** Milliseconds of recording (and, when profiling, waiting for) the call's map submits, divided equally between its methods. */
  readonly cam: number;
}

/**
 * Explains images with several methods from one forward pass and one backward pass per
 * target: A, G and the dense kernel go to the engine once (zero copy on the webgpu
 * backend, else one upload each); Score-CAM's masked forwards run once. The maps of the
 * methods without passes are recorded into one submit before those passes, the score
 * methods' sessions finished in one more after them (CamEngine.computeMany), and every
 * output comes back in one readback. Every intermediate tensor is disposed.
 *
 * @example
 * const { explanations, passes } = await explainMany(context, [image], { methods: ['gradcam', 'gradcam++', 'cam'] });
 * explanations[1].items[0].heatmap; // Grad-CAM++'s map; passes.forward === 1
 */
export async function explainMany(context: ExplainContext, images: readonly ImageInput[], request: ExplainManyRequest): Promise<ManyExplanations> {
  const methods = checkMethods(request.methods);
  if (request.normalize !== undefined && !isNormalization(request.normalize)) {
    throw new InvalidInputError(`unknown normalize '${String(request.normalize)}'; use ${NORMALIZATIONS.join(' or ')}`);
  }
  const imageSize = checkImages(images);
  const { split, engine, labels } = context;
  const sync = async (): Promise<void> => {
    if (request.profile) {
      flushBackend();
      await engine.device.queue.onSubmittedWorkDone();
    }
  };
  const needs = new Set(methods.map((m) => METHODS[m].needs));
  // Eigen smoothing applies to the requested methods whose row lists it; asking it of none is a mistake.
  const smoothable = (m: MethodName): boolean => METHODS[m].options.some((o) => o.name === 'eigenSmooth');
  if (request.eigenSmooth !== undefined && typeof request.eigenSmooth !== 'boolean') throw new InvalidInputError(`eigenSmooth must be true or false; got ${String(request.eigenSmooth)}`);
  if (request.eigenSmooth && !methods.some(smoothable)) {
    throw new InvalidInputError(`eigenSmooth applies to ${METHOD_NAMES.filter(smoothable).join(', ')}; none of ${methods.join(', ')} takes it`);
  }
  const noisyMethods = methods.filter((m) => METHODS[m].noisySamples);
  const smoothGrad = noisyMethods.length > 0 ? smoothGradPlan(METHODS[noisyMethods[0]!], request.smoothGrad) : null;
  // One compute reads a tensor: hand it over as bridged. Several: put it on the device once.
  const onDevice = (tensor: tf.Tensor, label: string): Promise<BridgedTensor> => (methods.length > 1 ? sharedOnDevice(tensor, engine, label) : bridgeTensor(tensor, engine.device));
  const owned: tf.Tensor[] = [];
  const onGpu: BridgedTensor[] = [];
  const runs: MethodRun[] = [];
  const groups: CamResults[] = [];
  let underlay: OverlayOnDevice | null = null;
  let keptLogits: MaskedLogits | null = null;
  const t0 = tf.util.now();
  const signal = request.signal;
  try {
    throwIfCancelled(signal, 'the explanation');
    // On the webgpu backend the image reaches the GPU once: the overlay's RGBA8 buffer, unpacked there for the model.
    const sharedImage = await shareImageOnDevice(images, engine, split.inputShape, context.preprocess);
    underlay = sharedImage?.underlay ?? null;
    const input = sharedImage?.input ?? toModelInput(images, split.inputShape, context.preprocess);
    owned.push(input);
    await sync();
    const t1 = tf.util.now();
    const [activations, logits] = tf.tidy(() => {
      const out = split.forward(input);
      return [out.activations, out.logits] as const;
    });
    owned.push(activations, logits);
    // The classes are chosen on the device (top-k of the logits): the backward pass follows with no readback.
    const chosen = chooseTargets(request.target, logits, labels);
    owned.push(chosen.indices);
    // As numbers only where a method needs them before the final readback (CAM, Score-CAM).
    let targets = chosen.known;
    const targetRows = async (): Promise<number[][]> => (targets ??= await readTargets(chosen));
    // The image reaches the engine's device once, for every method's overlay.
    if (request.overlay !== false) underlay ??= await overlayOnDevice(images, engine);
    const heatmapSize = heatmapSizeOf(request.size, imageSize, input, activations);
    const outputs: OutputRequest = {
      size: heatmapSize,
      ...(request.normalize !== undefined ? { normalize: request.normalize } : {}),
      ...(request.overlay === false
        ? {}
        : { overlay: { image: underlay!.image, ...(request.colormap ? { colormap: request.colormap } : {}), ...(request.alpha !== undefined ? { alpha: request.alpha } : {}) } }),
    };
    const a = await onDevice(activations, 'activations');
    onGpu.push(a);
    let g: BridgedTensor | null = null;
    if (methods.some((m) => METHODS[m].needs === 'gradients' && !METHODS[m].noisySamples)) {
      const gradients = targetGradients(split, activations, input, chosen.known ?? chosen.indices, request.score ?? 'logit');
      owned.push(gradients);
      g = await onDevice(gradients, 'gradients');
      onGpu.push(g);
    }
    // Smooth Grad-CAM++: the noisy copies' gradients, one batched forward and backward pass.
    let noisy: BridgedTensor | null = null;
    if (smoothGrad) {
      const gradients = noisyGradients(split, input, chosen.known ?? chosen.indices, request.score ?? 'logit', smoothGrad);
      owned.push(gradients);
      noisy = await onDevice(gradients, 'noisy gradients');
      onGpu.push(noisy);
    }
    let kernel: BridgedTensor | null = null;
    if (needs.has('dense-kernel')) {
      const dense = split.denseKernel();
      if (typeof dense === 'string') throw new ModelError(dense);
      kernel = await onDevice(dense, 'dense kernel');
      onGpu.push(kernel);
    }
    await sync();
    const tModel = tf.util.now();
    flushBackend();
    let maskedForward = 0;
    let scoreInput: BridgedTensor | null = null;
    let scoreBaseline: BridgedTensor | null = null;
    // The methods without passes are recorded into one submit, made once the first masked
    // inputs are with TF.js (or before the score methods, or alone), so the GPU computes
    // their maps while the model runs the masked passes; the score methods' sessions are
    // finished in a second submit, and one readback brings every method's outputs back.
    const scoreMethods = methods.filter((m) => METHODS[m].needs === 'scores');
    const plain = methods.filter((m) => METHODS[m].needs !== 'scores');
    const byMethod = new Map<MethodName, CamResult>();
    let cam = 0;
    const denseTargets = needs.has('dense-kernel') ? await targetRows() : null;
    let plainPending = plain.length > 0;
    const submitPlain = (): void => {
      if (!plainPending) return;
      plainPending = false;
      const start = tf.util.now();
      const specs = plain.map((method): MethodSpec => {
        const info = METHODS[method];
        // Class-agnostic methods (Eigen-CAM) compute one map per image, shared by its targets.
        const gradients = info.needs !== 'gradients' ? undefined : info.noisySamples ? noisy!.source : g!.source;
        return { method, ...(gradients ? { gradients } : {}), ...(request.eigenSmooth && smoothable(method) ? { eigenSmooth: true } : {}) };
      });
      const group = engine.computeMany({
        methods: specs,
        activations: a.source,
        ...(kernel ? { denseKernel: kernel.source } : {}),
        ...(denseTargets ? { targets: denseTargets } : {}),
        ...outputs,
        readback: scoreMethods.length === 0,
      });
      groups.push(group);
      plain.forEach((m, i) => byMethod.set(m, group.results[i]!));
      cam += tf.util.now() - start;
    };
    const model = new Map<MethodName, number>();
    const sessions: ScoreCamSession[] = [];
    try {
      for (const method of scoreMethods) {
        throwIfCancelled(signal, 'the explanation');
        const start = tf.util.now();
        // The input and its logits reach the engine once for every score-based method of the call.
        if (!scoreInput) {
          scoreInput = await bridgeTensor(input, engine.device);
          onGpu.push(scoreInput);
        }
        if (!scoreBaseline && scorePlan(method, request.scoreCam).needsBaseline) {
          scoreBaseline = await bridgeTensor(logits, engine.device);
          onGpu.push(scoreBaseline);
        }
        const baseline = scorePlan(method, request.scoreCam).needsBaseline ? scoreBaseline : null;
        const onProgress = request.onProgress;
        const scoreCam = {
          ...request.scoreCam,
          ...(signal ? { signal } : {}),
          onChunk: (done: number, total: number) => {
            request.scoreCam?.onChunk?.(done, total);
            const elapsedMs = tf.util.now() - start;
            onProgress?.({ method, done, total, unit: METHODS[method].passes?.feeds === 'ablated-head' ? 'ablated activations' : 'masked inputs', elapsedMs, remainingMs: done === 0 ? Number.NaN : (elapsedMs / done) * (total - done) });
          },
        };
        const inputs = { activations: a, input: scoreInput, inputTensor: input, baseline };
        // Score-CAM keeps its masked inputs' logits when a later method of the call masks a subset of them (Faster Score-CAM).
        const keep = methods.slice(methods.indexOf(method) + 1).some((m) => METHODS[m].passes?.feeds === 'masked-input');
        const camBefore = cam;
        const run = await runScorePasses(split, engine, method as ScoreMethodName, inputs, await targetRows(), scoreCam, context.maskSlot, { keep, from: keptLogits }, submitPlain);
        sessions.push(run.session);
        if (run.kept) {
          keptLogits?.logits.dispose();
          keptLogits = run.kept;
        }
        maskedForward += run.modelCalls;
        await sync();
        // Score-CAM's masked forwards are its model time, interleaved with its masking and scoring kernels (not the other methods' submit made meanwhile).
        model.set(method, tf.util.now() - start - (cam - camBefore));
      }
      throwIfCancelled(signal, 'the explanation');
      submitPlain();
      await sync();
      if (sessions.length > 0) {
        throwIfCancelled(signal, 'the explanation');
        const start = tf.util.now();
        // TF.js's recorded work (the last chunk's logits) is submitted before the engine's.
        flushBackend();
        const group = engine.computeMany({ methods: sessions, activations: a.source, ...outputs, readback: plain.length === 0 });
        groups.push(group);
        scoreMethods.forEach((m, i) => byMethod.set(m, group.results[i]!));
        await sync();
        cam += tf.util.now() - start;
      }
    } finally {
      // Unfinished sessions (a failed pass or finish) give their buffers back; finished ones are closed already.
      for (const session of sessions) session.release();
    }
    // The submits that record the maps: their time is shared equally between the methods.
    for (const method of methods) runs.push({ method, result: byMethod.get(method)!, model: model.get(method) ?? 0, cam: cam / methods.length });
    const t2 = tf.util.now();
    // One readback for the maps (staged in the last submit when there is one group), one for the probabilities with the chosen classes.
    const reading = groups.length === 1 ? groups[0]!.read() : engine.readAll(runs.map((r) => r.result));
    const [reads, read] = await Promise.all([reading, readPredictions(logits, chosen)]);
    const probs = read.probabilities;
    const rows = targets ?? read.targets;
    const t3 = tf.util.now();
    const predictions: Prediction[][] = probs.map((p) =>
      p
        .map((probability, classIndex) => ({ classIndex, label: labels?.[classIndex], probability }))
        .sort((x, y) => y.probability - x.probability)
        .slice(0, 5),
    );
    const shared = { preprocess: t1 - t0, model: tModel - t1, readback: t3 - t2, total: t3 - t0 };
    const explanations = runs.map((run, i): Explanation => ({
      method: run.method,
      layer: split.layer,
      automaticLayer: split.automatic,
      ...(split.note ? { layerNote: split.note } : {}),
      heatmapSize,
      imageSize,
      items: itemsOf(reads[i]!, run.result.dims.targets, rows, probs, labels, heatmapSize, imageSize),
      predictions,
      timings: { preprocess: shared.preprocess, model: shared.model + run.model, cam: run.cam, readback: shared.readback, total: shared.total },
      methodMs: run.model + run.cam,
    }));
    const sum = (pick: (run: MethodRun) => number): number => runs.reduce((s, run) => s + pick(run), 0);
    return {
      explanations,
      timings: { preprocess: shared.preprocess, model: shared.model + sum((r) => r.model), cam: sum((r) => r.cam), readback: shared.readback, total: shared.total },
      passes: { forward: 1 + (noisy ? 1 : 0), backward: (g ? chosen.k : 0) + (noisy ? chosen.k : 0), maskedForward },
    };
  } finally {
    for (const group of groups) group.release();
    for (const b of onGpu) b.release();
    underlay?.release();
    tf.dispose(owned);
    keptLogits?.logits.dispose();
  }
}

/** One explanation item per (image, target): its map and overlay sliced out of the batch's readback. */
export function itemsOf(
  read: { heatmap: Float32Array | null; overlay: Uint8Array | null },
  mapsPerImage: number,
  targets: readonly (readonly number[])[],
  probs: readonly (readonly number[])[],
  labels: readonly string[] | undefined,
  heatmapSize: Size2D,
  imageSize: Size2D,
): ExplanationItem[] {
  const pixels = heatmapSize.height * heatmapSize.width;
  const overlayPixels = imageSize.height * imageSize.width;
  const items: ExplanationItem[] = [];
  targets.forEach((row, b) =>
    row.forEach((classIndex, k) => {
      // A class-agnostic method computed one map per image, which every target shares.
      const m = mapsPerImage === row.length ? b * row.length + k : b * mapsPerImage;
      items.push({
        image: b,
        classIndex,
        label: labels?.[classIndex],
        probability: probs[b]?.[classIndex] ?? 0,
        heatmap: read.heatmap!.slice(m * pixels, (m + 1) * pixels),
        overlay: read.overlay ? read.overlay.slice(m * overlayPixels * 4, (m + 1) * overlayPixels * 4) : null,
      });
    }),
  );
  return items;
}
