import { colormapTable, type ColormapName } from './colormaps.js';
import { GpuError, InvalidInputError } from './errors.js';
import { BufferPool, type PoolStats } from './gpu/buffer-pool.js';
import { CommandBatch } from './gpu/command-batch.js';
import { recordStagingCopies, stagingLayout } from './gpu/readback.js';
import { CamResults, checkManyMethods, readResults, type ManyComputeOptions, type MethodSpec, type ResultPart, type StagedRead } from './compute-many.js';
import { BufferUsage, STORAGE_USAGE } from './gpu/flags.js';
import {
  activationDims,
  gradientTargets,
  isGpuBuffer,
  resolveTargets,
  type FeatureDims,
  type TargetSpec,
  type TensorSource,
} from './inputs.js';
import { encodeEigenProjection, eigenBufferSizes, type EigenProduct } from './eigen-stages.js';
import { gradientSamples } from './gradient-samples.js';
import { encodeSmoothGradcamppWeights } from './smooth-grad-stages.js';
import { checkFusedRequest, planFused, type FusedComputeOptions } from './fused-plan.js';
import { encodeAugAverage, encodeLayerFuse } from './fused-stages.js';
import { isMethodName, METHODS, type GradientWeightsKernel, type MethodName } from './methods.js';
import { checkBufferLimits, isNormalization, NORMALIZATIONS, planOutputs, sameSize, type Normalization, type OutputPlan, type OutputRequest } from './output-plan.js';
import { checkDenseKernel, checkScores, type ScoreCamScores } from './method-inputs.js';
import { CamResult, type CamOutputs } from './result.js';
import { ScoreCamSession, type ScoreCamSessionOptions } from './scorecam-session.js';
import { scorePlan } from './score-plan.js';
import { encodeGivenScoreWeights } from './score-stages.js';
import {
  encodeCamWeights,
  encodeElementwiseSum,
  encodeGradientWeights,
  encodeMinMax,
  encodeRender,
  encodeResizedMinMax,
  encodeWeightedSum,
  type StageInputs,
} from './stages.js';

export type { Normalization, OverlayImage, OverlayOptions, OutputRequest } from './output-plan.js';

export type { ScoreCamScores } from './method-inputs.js';

export type { ManyComputeOptions, MethodSpec } from './compute-many.js';

/** One explanation request to the lower API. */
export interface ComputeOptions extends OutputRequest {
  readonly method: MethodName;
  /** The target layer's activations, [B, h, w, C] NHWC. */
  readonly activations: TensorSource;
  /**
   * d(target score)/d(activations): [B, h, w, C] for one target or [B, K, h, w, C]. Smooth
   * Grad-CAM++: those of N noisy copies of the input, sample-major, [N·B, h, w, C] or
   * [N·B, K, h, w, C] (N is read from the shape; `activations` are the clean input's).
   */
  readonly gradients?: TensorSource;
  /** CAM: the dense layer's kernel after global average pooling, [C, classes]. */
  readonly denseKernel?: TensorSource;
  /** Score-CAM: the scores of the masked inputs. */
  readonly scoreCam?: ScoreCamScores;
  /** Methods that need the dense kernel or scores (CAM, Score-CAM): the class(es) to explain. Class-agnostic methods (Eigen-CAM) ignore it. */
  readonly targets?: TargetSpec;
  /**
   * Eigen smoothing (pytorch-grad-cam's eigen_smooth), for the methods whose row lists the
   * eigenSmooth option: the map is ReLU of the first principal component projection of the
   * per-channel terms (w_c·A_c, or f(G, A)_c) instead of ReLU of their sum.
   */
  readonly eigenSmooth?: boolean;
}

/** Engine options. */
export interface CamEngineOptions {
  /** Submit each kernel on its own inside error scopes that name it. Slower; for debugging. */
  readonly debug?: boolean;
  /** Bytes of free GPU buffers kept for reuse between calls (default 256 MiB); older ones past it are destroyed. */
  readonly poolBudgetBytes?: number;
  /** Bind groups, and parameter buffers, kept for reuse between calls (default 512 each); the least recently used past it are dropped. */
  readonly bindingCacheLimit?: number;
  /** Fill every output with NaN bytes (0xFF) before computing, so an unwritten element cannot pass a test. */
  readonly poisonOutputs?: boolean;
  /** Default normalisation of calls that do not say: 'output' (default) or 'feature'. */
  readonly normalize?: Normalization;
}

/**
 * Records the stages that produce raw (un-normalised) maps [B·K, h·w], or maps with the
 * (min, max) per map to render them with instead of the request's normalisation.
 */
export type RawMapEncoder = (inputs: StageInputs) => GPUBuffer | { readonly maps: GPUBuffer; readonly ranges: GPUBuffer };

/**
 * Computes class activation maps with WebGPU compute shaders on a device the caller owns.
 * Every stage of one call is recorded into one command encoder and submitted once.
 *
 * @example
 * const engine = new CamEngine(device);
 * const result = engine.compute({
 *   method: 'gradcam',
 *   activations: { data: activationBuffer, shape: [1, 7, 7, 2048] },
 *   gradients: { data: gradientBuffer, shape: [1, 7, 7, 2048] },
 *   size: { height: 224, width: 224 },
 *   overlay: { image: { data: rgba, width: 224, height: 224 }, colormap: 'jet', alpha: 0.5 },
 * });
 * const { heatmap, overlay } = await result.read();
 * result.release();
 */
export class CamEngine {
  readonly device: GPUDevice;
  /** @internal */
  readonly pool: BufferPool;
  /** @internal */
  readonly debug: boolean;
  private readonly poisonOutputs: boolean;
  /** The normalisation of calls that do not choose one. */
  readonly normalize: Normalization;
  private readonly lutBuffers = new Map<ColormapName, GPUBuffer>();
  private lostMessage: string | null = null;
  private destroyed = false;
  private dispatches = 0;

  constructor(device: GPUDevice, options: CamEngineOptions = {}) {
    this.device = device;
    this.pool = new BufferPool(device, options.poolBudgetBytes, options.bindingCacheLimit);
    this.debug = options.debug ?? false;
    this.poisonOutputs = options.poisonOutputs ?? false;
    const normalize = options.normalize ?? 'output';
    if (!isNormalization(normalize)) throw new InvalidInputError(`unknown normalize '${String(normalize)}'; use ${NORMALIZATIONS.join(' or ')}`);
    this.normalize = normalize;
    void device.lost.then((info) => {
      this.lostMessage = `${info.reason}: ${info.message}`;
    });
    // No 'uncapturederror' listener: every batch watches its own work in error scopes
    // (CommandBatch), so errors of other work on a shared device (TF.js running the model)
    // are never taken for the engine's, and nothing accumulates per error.
  }

  /**
   * Counters of the engine's buffer pool and its cached bind groups and parameter
   * buffers; flat `created`, `bindGroupsCreated` and `uniformBuffersCreated` mean the
   * calls made no new GPU objects.
   *
   * @example
   * const before = engine.poolStats();
   * engine.compute(options).release();
   * console.log(engine.poolStats().bindGroupsCreated - before.bindGroupsCreated); // 0 once warm
   */
  poolStats(): PoolStats {
    return this.pool.stats();
  }

  /**
   * Kernel dispatches that compute calls and Score-CAM finishes recorded so far (the
   * explanation's own submit; Score-CAM's masking and scoring batches not included).
   *
   * @example
   * const before = engine.dispatchCount();
   * engine.compute(options).release();
   * console.log(engine.dispatchCount() - before); // dispatches of that call
   */
  dispatchCount(): number {
    return this.dispatches;
  }

  /** Records and submits one explanation; read the returned result to get data back. */
  compute(options: ComputeOptions): CamResult {
    this.assertUsable();
    return this.executeParts(`wgcam ${String(options.method)}`, [this.computePart(options)], false).results[0]!;
  }

  /**
   * Records several methods' explanations of the same activations (and gradients, dense
   * kernel, targets, outputs) into one command encoder and submits them once, together with
   * the copies of every output into one staging buffer (unless `readback: false`): `read()`
   * of the returned CamResults maps it once. Inputs given as typed arrays are uploaded once for all methods. A
   * ScoreCamSession among the methods (every pass scored) is finished into the same submit.
   * Each method's outputs are bit for bit those of its own compute (or finish) call.
   *
   * @example
   * const results = engine.computeMany({
   *   methods: ['gradcam', 'gradcam++', { method: 'hirescam', eigenSmooth: true }, 'eigencam'],
   *   activations, gradients, size: { height: 224, width: 224 },
   * });
   * const [gradcam, gradcampp, hirescam, eigencam] = await results.read();
   * results.release();
   */
  computeMany(options: ManyComputeOptions): CamResults {
    this.assertUsable();
    const entries = checkManyMethods(options.methods, (m): m is ScoreCamSession => m instanceof ScoreCamSession);
    const { methods: _methods, activations, gradients, denseKernel, targets, readback, ...request } = options;
    const sessions = entries.filter((e): e is ScoreCamSession => e instanceof ScoreCamSession);
    if (new Set(sessions).size !== sessions.length) throw new InvalidInputError('methods lists one ScoreCamSession twice');
    const parts = entries.map((entry): ResultPart => {
      if (entry instanceof ScoreCamSession) return entry.finishPart(this, request);
      const spec: MethodSpec = entry;
      const own = spec.gradients ?? gradients;
      return this.computePart({
        ...request,
        method: spec.method,
        activations,
        ...(own ? { gradients: own } : {}),
        ...(denseKernel ? { denseKernel } : {}),
        ...(targets !== undefined ? { targets } : {}),
        ...(spec.scoreCam ? { scoreCam: spec.scoreCam } : {}),
        ...(spec.eigenSmooth !== undefined ? { eigenSmooth: spec.eigenSmooth } : {}),
      });
    });
    const { results, staged } = this.executeParts(`wgcam ${parts.map((p) => p.label.replace(/^wgcam /, '')).join(', ')}`, parts, readback ?? true);
    for (const session of sessions) session.finished();
    return new CamResults(this.device, this.pool, results, staged);
  }

  /**
   * Reads several results of this engine back at once: their outputs copied into one staging
   * buffer in one submit and mapped once (e.g. the results of two computeMany calls made
   * with `readback: false` around other work). The results stay the caller's to release.
   *
   * @example
   * const early = engine.computeMany({ methods: ['gradcam', 'eigencam'], activations, gradients, size, readback: false });
   * // ... run Score-CAM's passes ...
   * const late = engine.computeMany({ methods: [session], activations, size, readback: false });
   * const outputs = await engine.readAll([...early.results, ...late.results]);
   */
  readAll(results: readonly CamResult[]): Promise<CamOutputs[]> {
    this.assertUsable();
    return readResults(this.device, this.pool, results);
  }

  /** What compute records for one request, checked against the device's limits. */
  private computePart(options: ComputeOptions): ResultPart {
    const method = options.method;
    if (typeof method !== 'string' || !isMethodName(method)) {
      throw new InvalidInputError(`unknown method '${String(method)}'; use one of ${Object.keys(METHODS).join(', ')}`);
    }
    const { dims, classes, targetIds, samples } = this.validateInputs(options);
    const outputs = planOutputs(dims, options);
    const maps = dims.batch * dims.targets;
    checkBufferLimits(this.device, [
      ['activations', dims.batch * dims.height * dims.width * dims.channels * 4],
      ['gradients', options.gradients ? samples * maps * dims.height * dims.width * dims.channels * 4 : 0],
      ['channel weights', maps * dims.channels * 4],
      ...(METHODS[method].encoding.kind === 'projection' || options.eigenSmooth === true ? eigenBufferSizes(dims) : []),
      ['heatmaps', outputs.heatmapBytes],
      ['overlays', outputs.overlayBytes],
    ]);
    return {
      dims,
      plan: outputs,
      request: options,
      status: null,
      label: `wgcam ${method}`,
      activations: options.activations,
      encodeRaw: (inputs) => this.encodeRawMaps(inputs, options, classes, targetIds, samples),
      earlier: [],
    };
  }

  /**
   * Records and submits one explanation over several target layers and/or test-time
   * augmentations, in one submit: each layer's map by the method, normalised at its
   * feature resolution and resized to the output size, fused by mean or max and
   * normalised again (pytorch-grad-cam's aggregate_multi_layers); with `augment`, each
   * augmented copy's fused map is normalised, flipped back where its input was flipped,
   * and the T copies averaged (pytorch-grad-cam's aug_smooth; the mean is not normalised
   * again). `normalize` does not apply: the per-layer and fused normalisations are fixed.
   *
   * @example
   * const result = engine.computeFused({
   *   method: 'gradcam',
   *   layers: [{ activations: a4, gradients: g4 }, { activations: a5, gradients: g5 }],
   *   fuse: 'mean',
   *   size: { height: 224, width: 224 },
   * });
   * const heatmap = await result.readHeatmap();
   * result.release();
   */
  computeFused(options: FusedComputeOptions): CamResult {
    this.assertUsable();
    const { mode, flips } = checkFusedRequest(options);
    const layers = options.layers.map((layer) => ({ layer, ...this.validateInputs({ method: options.method, activations: layer.activations, ...(layer.gradients ? { gradients: layer.gradients } : {}) }) }));
    const plan = planFused(layers.map((l) => l.dims), mode, flips, options.size);
    const { size, images, targets } = plan;
    const augmented = flips.length > 1;
    // One layer stays at its feature resolution: normalising each copy with its range at the
    // output size, flipping and averaging commute with the (linear, mirror-symmetric)
    // bilinear resize, so only the final render works at the output size.
    const single = layers.length === 1 ? layers[0]!.dims : null;
    const dims = { batch: images, targets, height: single?.height ?? size.height, width: single?.width ?? size.width, channels: 1 };
    // The fused size is the output's: the final stage renders at it, normalised there.
    const request = { ...options, size: options.size ?? size, normalize: 'output' as const };
    const outputs = planOutputs(dims, request);
    const fusedBytes = single ? 0 : images * flips.length * targets * size.height * size.width * 4;
    checkBufferLimits(this.device, [
      ...layers.flatMap((l, i): [string, number][] => [
        [`layer ${i} activations`, l.dims.batch * l.dims.height * l.dims.width * l.dims.channels * 4],
        [`layer ${i} gradients`, l.layer.gradients ? l.dims.batch * l.dims.targets * l.dims.height * l.dims.width * l.dims.channels * 4 : 0],
        ...(METHODS[options.method].encoding.kind === 'projection' ? eigenBufferSizes(l.dims) : []),
      ]),
      ['fused maps', fusedBytes],
      ['heatmaps', outputs.heatmapBytes],
      ['overlays', outputs.overlayBytes],
    ]);
    return this.execute(dims, outputs, request, null, `wgcam ${options.method} fused`, options.layers[0]!.activations, (inputs) => {
      const { batch, status } = inputs;
      const unitRanges = (): GPUBuffer => {
        // Rendered as is: (x − 0)/(1 − 0 + 1e-7).
        const unit = new Float32Array(images * targets * 2);
        for (let m = 0; m < images * targets; m++) unit[2 * m + 1] = 1;
        return batch.upload(unit, 'unit ranges');
      };
      if (single) {
        const layer = layers[0]!.layer;
        const layerInputs: StageInputs = { batch, dims: single, activations: inputs.activations, status };
        const raw = this.encodeRawMaps(layerInputs, { method: options.method, activations: layer.activations, ...(layer.gradients ? { gradients: layer.gradients } : {}) }, 0, null);
        if (!augmented) return raw;
        const ranges = encodeResizedMinMax(layerInputs, raw, [size]);
        return { maps: encodeAugAverage(batch, raw, ranges, images, targets, single, flips), ranges: unitRanges() };
      }
      const fused = batch.temporary(fusedBytes, STORAGE_USAGE, 'fused maps');
      layers.forEach((l, index) => {
        const activations = index === 0 ? inputs.activations : this.bufferFor(batch, l.layer.activations, `layer ${index} activations`);
        const layerInputs: StageInputs = { batch, dims: l.dims, activations, status };
        const raw = this.encodeRawMaps(layerInputs, { method: options.method, activations: l.layer.activations, ...(l.layer.gradients ? { gradients: l.layer.gradients } : {}) }, 0, null);
        encodeLayerFuse(batch, { raw, ranges: encodeMinMax(layerInputs, raw), dims: l.dims, index, layers: layers.length }, size, mode, fused);
      });
      if (!augmented) return fused;
      const fusedDims = { ...dims, batch: images * flips.length };
      const ranges = encodeMinMax({ ...inputs, dims: fusedDims }, fused);
      const maps = encodeAugAverage(batch, fused, ranges, images, targets, size, flips);
      return { maps, ranges: unitRanges() };
    });
  }

  /**
   * Starts a Score-CAM explanation whose masked forward passes the caller runs: the
   * session writes masked input batches on the GPU and turns their scores into weights.
   *
   * @example
   * const session = engine.scoreCam({ activations, input, targets: 3, classes: 10 });
   * for (let first = 0; first < session.pairs; first += 32) {
   *   const count = Math.min(32, session.pairs - first);
   *   session.writeMasks(first, count, maskedBuffer);
   *   session.addScores(first, count, { data: logitsBuffer, shape: [count, 10] });
   * }
   * const result = session.finish({ size: { height: 64, width: 64 } });
   */
  scoreCam(options: ScoreCamSessionOptions): ScoreCamSession {
    this.assertUsable();
    return new ScoreCamSession(this, options);
  }

  /** Frees the buffers this engine created (pool and colormaps); the device stays the caller's. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroy();
    for (const buffer of this.lutBuffers.values()) buffer.destroy();
    this.lutBuffers.clear();
  }

  /** @internal Throws if the engine was destroyed or its device lost. */
  assertUsable(): void {
    if (this.destroyed) throw new GpuError('this CamEngine was destroyed');
    if (this.lostMessage) throw new GpuError(`the GPU device was lost (${this.lostMessage}); create a new device and engine`);
  }

  /**
   * @internal Records raw maps and the post-processing (min-max, normalise, upsample,
   * overlay) into one batch, submits it and wraps the outputs in a CamResult. `status`
   * is an already-cleared status buffer to adopt, or null for a fresh one: the result
   * owns it once this returns, but if this throws it stays the caller's (only what this
   * call acquired is released here, once). `earlier` are the checks of batches whose work
   * this one builds on (Score-CAM's chunks); their GPU errors fail the result too.
   */
  execute(
    dims: FeatureDims,
    plan: OutputPlan,
    request: OutputRequest,
    status: GPUBuffer | null,
    label: string,
    activationsSource: TensorSource | GPUBuffer,
    encodeRaw: RawMapEncoder,
    earlier: readonly Promise<void>[] = [],
  ): CamResult {
    return this.executeParts(label, [{ dims, plan, request, status, label, activations: activationsSource, encodeRaw, earlier }], false).results[0]!;
  }

  /**
   * @internal Records every part (as `execute` does one) into one batch and submits it once;
   * with `readback`, the copies of every result's status and outputs into one staging buffer
   * go into the same submit. Parts' adopted status buffers become their results'; if this
   * throws they stay the callers' and only what this call acquired is released, once.
   */
  executeParts(label: string, parts: readonly ResultPart[], readback: boolean): { results: CamResult[]; staged: StagedRead | null } {
    const batch = new CommandBatch(this.device, this.pool, this.debug, label);
    const acquired: GPUBuffer[] = [];
    const acquire = (bytes: number, name: string): GPUBuffer => {
      const buffer = this.pool.acquire(bytes, STORAGE_USAGE, name);
      acquired.push(buffer);
      return buffer;
    };
    let results: CamResult[];
    let staged: StagedRead | null = null;
    const checked = batch.checked.bind(batch);
    try {
      // One set of error scopes for the whole call: the outputs' creation and poisoning too.
      results = batch.scoped(() => {
        const outputs = parts.map((part) => {
          const { plan } = part;
          const statusBuffer = part.status ?? acquire(16, 'wgcam status');
          const heatmapBuffer = plan.heatmapSize ? acquire(plan.heatmapBytes, 'heatmaps') : null;
          const overlayBuffer = plan.overlaySize ? acquire(plan.overlayBytes, 'overlays') : null;
          if (this.poisonOutputs) {
            if (heatmapBuffer) this.device.queue.writeBuffer(heatmapBuffer, 0, new Uint8Array(plan.heatmapBytes).fill(0xff));
            if (overlayBuffer) this.device.queue.writeBuffer(overlayBuffer, 0, new Uint8Array(plan.overlayBytes).fill(0xff));
          }
          if (!part.status) batch.commands().clearBuffer(statusBuffer);
          return { statusBuffer, heatmapBuffer, overlayBuffer };
        });
        parts.forEach((part, i) => {
          const { statusBuffer, heatmapBuffer, overlayBuffer } = outputs[i]!;
          const activations = isGpuBuffer(part.activations) ? part.activations : this.bufferFor(batch, part.activations, 'activations');
          const inputs: StageInputs = { batch, dims: part.dims, activations, status: statusBuffer };
          const raw = part.encodeRaw(inputs);
          this.encodePostProcessing(inputs, isGpuBuffer(raw) ? raw : raw.maps, part.plan, part.request, heatmapBuffer, overlayBuffer, isGpuBuffer(raw) ? null : raw.ranges);
        });
        const made = parts.map((part, i) => {
          const { statusBuffer, heatmapBuffer, overlayBuffer } = outputs[i]!;
          const gpuChecks = async (): Promise<void> => {
            for (const check of part.earlier) await check;
            await checked();
            this.assertUsable();
          };
          return new CamResult({ device: this.device, pool: this.pool, gpuChecks }, part.dims, part.plan.heatmapSize, part.plan.overlaySize, heatmapBuffer, overlayBuffer, statusBuffer);
        });
        if (readback) {
          const requests = made.flatMap((r) => r.readRequests());
          const layout = stagingLayout(requests.map((r) => r.bytes));
          staged = { buffer: recordStagingCopies(batch.commands(), this.pool, requests, layout), layout };
        }
        batch.submit();
        return made;
      });
      this.dispatches += batch.dispatches;
    } catch (error) {
      // The first error is the one reported: clean-up must not replace it.
      batch.abandon();
      for (const buffer of acquired) this.pool.release(buffer);
      if (staged) this.pool.release((staged as StagedRead).buffer);
      throw error;
    }
    return { results, staged };
  }

  /** @internal A typed array uploaded into a batch temporary, or the caller's GPU buffer. */
  bufferFor(batch: CommandBatch, source: TensorSource, label: string): GPUBuffer {
    return isGpuBuffer(source.data) ? source.data : batch.uploadOnce(source.data, label);
  }

  /**
   * Ranges then one render dispatch: min/max at feature resolution (map_minmax) or at each
   * output's size (resized_minmax, one dispatch for up to two sizes), then resize,
   * normalise, heatmap and overlay together (render_maps). No map is stored at output size
   * except the outputs themselves.
   */
  private encodePostProcessing(
    inputs: StageInputs,
    raw: GPUBuffer,
    plan: OutputPlan,
    request: OutputRequest,
    heatmapBuffer: GPUBuffer | null,
    overlayBuffer: GPUBuffer | null,
    givenRanges: GPUBuffer | null = null,
  ): void {
    const { batch, dims } = inputs;
    const heatSize = heatmapBuffer ? plan.heatmapSize : null;
    const overlaySize = overlayBuffer ? plan.overlaySize : null;
    const sizes = [heatSize, overlaySize].filter((s): s is NonNullable<typeof s> => s !== null);
    if (sizes.length === 2 && sameSize(sizes[0]!, sizes[1]!)) sizes.pop();
    const byOutput = (request.normalize ?? this.normalize) === 'output';
    // Given ranges (one per map) serve every output.
    const ranges = givenRanges ?? (byOutput ? encodeResizedMinMax(inputs, raw, sizes) : encodeMinMax(inputs, raw));
    const overlay = request.overlay ?? {};
    const image = overlay.image && overlayBuffer
      ? { buffer: isGpuBuffer(overlay.image.data) ? overlay.image.data : batch.uploadOnce(overlay.image.data, 'overlay image'), count: plan.imageCount }
      : null;
    encodeRender(inputs, raw, ranges, {
      heatmap: heatmapBuffer && heatSize ? { buffer: heatmapBuffer, size: heatSize } : null,
      overlay: overlayBuffer && overlaySize
        ? { buffer: overlayBuffer, size: overlaySize, lut: this.lut(overlay.colormap ?? 'jet'), image, alpha: overlay.alpha ?? 0.5 }
        : null,
      overlayRanges: !givenRanges && byOutput && sizes.length === 2 ? dims.batch * dims.targets : 0,
    });
  }

  private validateInputs(options: ComputeOptions): { dims: FeatureDims; classes: number; targetIds: Uint32Array | null; samples: number } {
    if (!options.activations) throw new InvalidInputError('activations are required: the target layer output, [B, h, w, C]');
    const base = activationDims(options.activations);
    const info = METHODS[options.method];
    if (options.eigenSmooth !== undefined && typeof options.eigenSmooth !== 'boolean') {
      throw new InvalidInputError(`eigenSmooth must be true or false; got ${String(options.eigenSmooth)}`);
    }
    if (options.eigenSmooth && !info.options.some((o) => o.name === 'eigenSmooth')) {
      const takers = Object.values(METHODS).filter((m) => m.options.some((o) => o.name === 'eigenSmooth')).map((m) => m.name);
      throw new InvalidInputError(`eigenSmooth does not apply to ${info.title}; it applies to ${takers.join(', ')}`);
    }
    let classes: number;
    switch (info.needs) {
      case 'activations':
        // Class-agnostic: one map per image, whatever targets say.
        return { dims: { ...base, targets: 1 }, classes: 0, targetIds: null, samples: 1 };
      case 'gradients': {
        if (!options.gradients) throw new InvalidInputError(`${info.title} needs gradients of the target score with respect to the activations`);
        const { targets, samples } = info.noisySamples ? gradientSamples(options.gradients, base) : { targets: gradientTargets(options.gradients, base), samples: 1 };
        return { dims: { ...base, targets }, classes: 0, targetIds: null, samples };
      }
      case 'dense-kernel':
        classes = checkDenseKernel(options.denseKernel, base.channels, info.title);
        break;
      case 'scores':
        classes = checkScores(options.scoreCam, scorePlan(options.method, options.scoreCam), base.batch, base.channels, info.title);
        break;
    }
    const targetIds = resolveTargets(options.targets, base.batch, classes);
    return { dims: { ...base, targets: targetIds.length / base.batch }, classes, targetIds, samples: 1 };
  }

  private encodeRawMaps(inputs: StageInputs, options: ComputeOptions, classes: number, targetIds: Uint32Array | null, samples = 1): GPUBuffer {
    const { batch } = inputs;
    const encoding = METHODS[options.method].encoding;
    const gradients = (): GPUBuffer => this.bufferFor(batch, options.gradients as TensorSource, 'gradients');
    // Eigen smoothing: the same per-channel terms, projected by Eigen-CAM's stages instead of summed.
    const smooth = (factor: GPUBuffer, product: EigenProduct): GPUBuffer => encodeEigenProjection(inputs, factor, undefined, product).maps;
    switch (encoding.kind) {
      case 'weighted-sum': {
        const weights = this.encodeChannelWeights(inputs, options, encoding.weights, classes, targetIds, samples);
        return options.eigenSmooth ? smooth(weights, 'weights') : encodeWeightedSum(inputs, weights);
      }
      case 'elementwise':
        return options.eigenSmooth ? smooth(gradients(), encoding.product) : encodeElementwiseSum(inputs, gradients(), encoding.product);
      case 'projection':
        return encodeEigenProjection(inputs, encoding.of === 'gradient-activation' ? gradients() : null).maps;
    }
  }

  /** Channel weights [B·K, C] by the weights kernel a method's row names. */
  private encodeChannelWeights(
    inputs: StageInputs,
    options: ComputeOptions,
    kernel: GradientWeightsKernel | 'cam_weights' | 'score_weights',
    classes: number,
    targetIds: Uint32Array | null,
    samples: number,
  ): GPUBuffer {
    const { batch, dims } = inputs;
    switch (kernel) {
      case 'smoothgradcampp_weights':
        return encodeSmoothGradcamppWeights(inputs, this.bufferFor(batch, options.gradients as TensorSource, 'gradients'), samples);
      case 'cam_weights': {
        const dense = this.bufferFor(batch, options.denseKernel as TensorSource, 'dense kernel');
        return encodeCamWeights(inputs, dense, batch.upload(targetIds as Uint32Array, 'targets'), classes);
      }
      case 'score_weights': {
        const score = options.scoreCam as ScoreCamScores;
        return encodeGivenScoreWeights(batch, dims, scorePlan(options.method, score), inputs.activations, inputs.status, {
          scores: this.bufferFor(batch, score.scores, 'scores'),
          baseline: score.baseline ? this.bufferFor(batch, score.baseline, 'baseline logits') : null,
          inputSize: score.inputSize ?? { height: dims.height, width: dims.width },
          targets: batch.upload(targetIds as Uint32Array, 'targets'),
          classes,
        });
      }
      default:
        return encodeGradientWeights(inputs, kernel, this.bufferFor(batch, options.gradients as TensorSource, 'gradients'));
    }
  }

  private lut(name: ColormapName): GPUBuffer {
    let buffer = this.lutBuffers.get(name);
    if (!buffer) {
      const table = colormapTable(name);
      buffer = this.device.createBuffer({ label: `colormap ${name}`, size: table.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
      this.device.queue.writeBuffer(buffer, 0, table);
      this.lutBuffers.set(name, buffer);
    }
    return buffer;
  }
}
