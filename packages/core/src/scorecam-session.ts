import type { CamEngine } from './engine.js';
import { InvalidInputError, ShapeError } from './errors.js';
import { CommandBatch } from './gpu/command-batch.js';
import { STORAGE_USAGE } from './gpu/flags.js';
import { mapStaging, readBuffers, recordStagingCopies, stagingLayout } from './gpu/readback.js';
import { activationDims, checkData, checkShape, isGpuBuffer, resolveTargets, type FeatureDims, type TargetSpec, type TensorSource } from './inputs.js';
import { checkBufferLimits, planOutputs, type OutputRequest } from './output-plan.js';
import type { CamResult } from './result.js';
import type { ResultPart } from './compute-many.js';
import { scorePasses, scorePlan, type ScoreCamVariant, type ScoreMethodOptions, type ScorePlan } from './score-plan.js';
import {
  encodeAblationInputs,
  encodeChannelSelection,
  encodePassScores,
  encodeScoreFamilyMasks,
  encodeScoreFamilyWeights,
  encodeScoreRanges,
  type SelectionBuffers,
} from './score-stages.js';
import type { ModelInputDims } from './inputs.js';
import { encodeWeightedSum } from './stages.js';

/** The methods a session runs: the Score-CAM family and Ablation-CAM. */
export type ScoreMethodName = 'scorecam' | 'fasterscorecam' | 'sscam' | 'iscam' | 'ablationcam';

/** What a Score-CAM session needs up front. */
export interface ScoreCamSessionOptions extends ScoreMethodOptions {
  /** Which method (default 'scorecam'); its options are the ScoreMethodOptions fields. */
  readonly method?: ScoreMethodName;
  /** The target layer's activations, [B, h, w, C]. */
  readonly activations: TensorSource;
  /** The model input the masks multiply, [B, H, W, Cin] (not read by Ablation-CAM). */
  readonly input?: TensorSource;
  /** The class(es) to explain: one for all, one per image, or K per image. */
  readonly targets: TargetSpec;
  /** Number of classes in the model's output. */
  readonly classes: number;
  /** The model's logits on the unmasked input, [B, classes]: needed by the 'baseline' variant, SS-CAM, IS-CAM and Ablation-CAM. */
  readonly baseline?: TensorSource;
  /** 'probability' (the authors' code, default), 'channel-softmax' (pytorch-grad-cam) or 'baseline' (torch-cam). */
  readonly variant?: ScoreCamVariant;
}

/**
 * A Score-CAM-family explanation in progress (Score-CAM and its variants, Faster
 * Score-CAM, SS-CAM, IS-CAM, Ablation-CAM). It keeps the activations, the model input,
 * the mask ranges, the chosen channels and the pass scores on the GPU while the caller
 * runs the model (or, for Ablation-CAM, its head) on each chunk of passes; every step is
 * its own submit so chunks can interleave with the model's own work. Create it with
 * `engine.scoreCam(...)`.
 *
 * @example
 * const session = engine.scoreCam({ activations, input, targets: [3], classes: 10 });
 * session.writeMasks(0, session.pairs, maskedBuffer);
 * session.addScores(0, session.pairs, { data: logits, shape: [session.pairs, 10] });
 * const heatmap = await session.finish({}).readHeatmap();
 */
export class ScoreCamSession {
  readonly dims: FeatureDims;
  /** The model input size the masks are made at (the feature map's own for Ablation-CAM). */
  readonly input: ModelInputDims;
  /** Forward passes in all (samples · B · masked channels); kept under its old name. */
  readonly pairs: number;
  readonly passes: number;
  readonly classes: number;
  readonly method: ScoreMethodName;
  readonly plan: ScorePlan;
  /** The Score-CAM variant ('probability' for the methods without one). */
  readonly variant: ScoreCamVariant;
  private readonly owned: GPUBuffer[] = [];
  private readonly activations: GPUBuffer;
  private readonly inputBuffer: GPUBuffer | null;
  private readonly ranges: GPUBuffer;
  private readonly selection: SelectionBuffers;
  private readonly baseline: GPUBuffer;
  private readonly scores: GPUBuffer;
  private readonly targets: GPUBuffer;
  private status: GPUBuffer | null = null;
  private readonly scored: Uint8Array;
  /** GPU checks of the steps submitted so far; the finished result waits for them. */
  private readonly checks: Promise<void>[] = [];
  private closed = false;

  constructor(
    private readonly engine: CamEngine,
    options: ScoreCamSessionOptions,
  ) {
    this.method = options.method ?? 'scorecam';
    this.plan = scorePlan(this.method, options);
    this.variant = options.variant ?? 'probability';
    const base = activationDims(options.activations);
    if (!Number.isInteger(options.classes) || options.classes <= 0) throw new InvalidInputError(`classes must be a positive integer; got ${options.classes}`);
    if (this.plan.feeds === 'input') {
      if (!options.input) throw new InvalidInputError(`${this.method} needs input: the model input [B, H, W, Cin] the masks multiply`);
      checkShape('input', options.input.shape, 4, '[B, H, W, Cin] (the model input)');
      checkData('input', options.input);
      const [batch, height, width, channels] = options.input.shape as [number, number, number, number];
      if (batch !== base.batch) throw new ShapeError(`input has ${batch} images but the activations have ${base.batch}`);
      this.input = { height, width, channels };
    } else {
      this.input = { height: base.height, width: base.width, channels: base.channels };
    }
    if (this.plan.needsBaseline) {
      if (!options.baseline) throw new InvalidInputError(`${this.method}${this.method === 'scorecam' ? ` (variant '${this.variant}')` : ''} needs baseline: the model's logits on the unmasked input, [B, classes]`);
      checkShape('baseline', options.baseline.shape, 2, '[B, classes]');
      checkData('baseline', options.baseline);
      if (options.baseline.shape[0] !== base.batch || options.baseline.shape[1] !== options.classes) {
        throw new ShapeError(`baseline has shape [${options.baseline.shape.join(', ')}]; it needs [${base.batch}, ${options.classes}]`);
      }
    }
    const targetIds = resolveTargets(options.targets, base.batch, options.classes);
    this.dims = { ...base, targets: targetIds.length / base.batch };
    this.passes = scorePasses(this.plan, base.batch, base.channels);
    this.pairs = this.passes;
    this.classes = options.classes;
    this.scored = new Uint8Array(this.passes);
    checkBufferLimits(engine.device, [
      ['activations', base.batch * base.height * base.width * base.channels * 4],
      ['model input', base.batch * this.input.height * this.input.width * this.input.channels * 4],
      ['one masked input', this.maskBytes(1)],
      ['pass scores', this.passes * this.dims.targets * 4],
    ]);

    const acquire = (bytes: number, label: string): GPUBuffer => {
      const buffer = engine.pool.acquire(Math.max(bytes, 16), STORAGE_USAGE, label);
      this.owned.push(buffer);
      return buffer;
    };
    const upload = (data: Uint32Array | Float32Array, label: string): GPUBuffer => {
      const buffer = acquire(data.byteLength, label);
      engine.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return buffer;
    };
    const persistent = (source: TensorSource, label: string): GPUBuffer => (isGpuBuffer(source.data) ? source.data : upload(source.data, label));
    // If anything fails, what was acquired so far goes back to the pool, once.
    engine.assertUsable();
    const setup = new CommandBatch(engine.device, engine.pool, engine.debug, 'scorecam setup');
    try {
      // The uploads and acquisitions run in the setup batch's error scopes too: their GPU
      // errors (out of memory) fail the finished result instead of going uncaptured.
      const made = setup.scoped(() => {
        const activations = persistent(options.activations, 'scorecam activations');
        const inputBuffer = this.plan.feeds === 'input' ? persistent(options.input!, 'scorecam input') : null;
        const baseline = this.plan.needsBaseline ? persistent(options.baseline!, 'scorecam baseline') : acquire(16, 'no baseline');
        const targets = upload(targetIds, 'scorecam targets');
        const ranges = acquire(base.batch * base.channels * 8, 'channel ranges');
        const scores = acquire(this.passes * this.dims.targets * 4, 'pass scores');
        this.status = engine.pool.acquire(16, STORAGE_USAGE, 'wgcam status');
        setup.commands().clearBuffer(this.status);
        encodeScoreRanges(setup, this.dims, this.plan, activations, this.input, this.status, ranges);
        const selection = encodeChannelSelection(setup, this.dims, this.plan, activations, acquire, upload);
        setup.submit();
        return { activations, inputBuffer, baseline, targets, ranges, scores, selection };
      });
      this.activations = made.activations;
      this.inputBuffer = made.inputBuffer;
      this.baseline = made.baseline;
      this.targets = made.targets;
      this.ranges = made.ranges;
      this.scores = made.scores;
      this.selection = made.selection;
    } catch (error) {
      setup.abandon();
      this.release();
      throw error;
    }
    this.checks.push(setup.checked());
  }

  /** Bytes that `count` passes take: count·H·W·Cin float32 (count·h·w·C for Ablation-CAM's head inputs). */
  maskBytes(count: number): number {
    return count * this.input.height * this.input.width * this.input.channels * 4;
  }

  /** For Ablation-CAM: the image each pass of first..first+count−1 belongs to (its head also reads that image's input). */
  imageOf(pass: number): number {
    const masked = this.dims.batch * this.selection.perImage;
    return Math.floor((pass % masked) / this.selection.perImage);
  }

  /** Writes the inputs of passes first..first+count−1 into `out`: masked model inputs [count, H, W, Cin], or for Ablation-CAM the activations with one channel zeroed [count, h, w, C]. */
  writeMasks(first: number, count: number, out: GPUBuffer): void {
    this.checkChunk(first, count);
    this.checkMaskBuffer(count, out);
    this.step('scorecam masks', (batch) => this.encodeMasks(batch, first, count, out));
  }

  /**
   * writeMasks, with the written inputs copied back in the same submit (one staging buffer,
   * mapped once): for a model that runs on the CPU side (TF.js wasm or cpu).
   *
   * @example
   * const masked = await session.writeAndReadMasks(0, 32, maskBuffer); // [32, H, W, Cin] values
   */
  async writeAndReadMasks(first: number, count: number, out: GPUBuffer): Promise<Float32Array> {
    this.checkChunk(first, count);
    this.checkMaskBuffer(count, out);
    const { device, pool } = this.engine;
    const layout = stagingLayout([this.maskBytes(count)]);
    let staging: GPUBuffer | null = null;
    let check: Promise<void>;
    try {
      check = this.stepChecked('scorecam masks', (batch) => {
        this.encodeMasks(batch, first, count, out);
        staging = recordStagingCopies(batch.commands(), pool, [{ buffer: out, bytes: this.maskBytes(count) }], layout);
      });
    } catch (error) {
      if (staging) pool.release(staging);
      throw error;
    }
    const [data] = await mapStaging(device, pool, staging!, layout, check.then(() => null, (error: unknown) => error as Error));
    return new Float32Array(data!);
  }

  private encodeMasks(batch: CommandBatch, first: number, count: number, out: GPUBuffer): void {
    if (this.plan.feeds === 'head') {
      encodeAblationInputs(batch, this.dims, this.activations, out, first, count);
    } else {
      encodeScoreFamilyMasks(batch, this.dims, this.plan, { activations: this.activations, ranges: this.ranges, selection: this.selection, input: this.inputBuffer!, out }, this.input, first, count);
    }
  }

  private checkMaskBuffer(count: number, out: GPUBuffer): void {
    if (out.size < this.maskBytes(count)) throw new ShapeError(`the mask buffer holds ${out.size} bytes; ${count} masked inputs need ${this.maskBytes(count)}`);
  }

  /**
   * The channel each pass of the first sample masks, [B·N] (pass r: image r / N, channel
   * selected[r]; the identity within an image unless Faster Score-CAM chose N channels).
   * One readback of B·N integers: a caller that already has the logits of every channel's
   * masked input (a Score-CAM of the same masks) takes these rows instead of running passes.
   */
  async readSelection(): Promise<Uint32Array> {
    this.assertOpen();
    this.engine.assertUsable();
    const count = this.dims.batch * this.selection.perImage;
    const [data] = await readBuffers(this.engine.device, this.engine.pool, [{ buffer: this.selection.selected, bytes: count * 4 }]);
    return new Uint32Array(data!, 0, count);
  }

  /** Turns the model's logits on passes first..first+count−1 ([count, classes]) into pass scores. */
  addScores(first: number, count: number, logits: TensorSource): void {
    this.checkChunk(first, count);
    checkShape('logits', logits.shape, 2, '[count, classes]');
    checkData('logits', logits);
    if (logits.shape[0] !== count || logits.shape[1] !== this.classes) {
      throw new ShapeError(`logits have shape [${logits.shape.join(', ')}]; this chunk needs [${count}, ${this.classes}]`);
    }
    this.step('scorecam scores', (batch) => {
      const buffer = this.engine.bufferFor(batch, logits, 'scorecam logits');
      encodePassScores(
        batch,
        this.dims,
        this.plan,
        { logits: buffer, targets: this.targets, ranges: this.ranges, selection: this.selection, baseline: this.baseline, scores: this.scores, status: this.status! },
        this.classes,
        first,
        count,
      );
    });
    this.scored.fill(1, first, first + count);
  }

  /** Builds the maps from the collected scores and post-processes them; closes the session. */
  finish(request: OutputRequest = {}): CamResult {
    const part = this.finishPart(this.engine, request);
    // If execute throws, the status buffer is still this session's and release() frees it once.
    const result = this.engine.executeParts(part.label, [part], false).results[0]!;
    this.finished();
    return result;
  }

  /**
   * @internal What finish records, for a batch it may share with other methods
   * (CamEngine.computeMany); call `finished()` once it is recorded. Throws if a pass has no
   * scores, the outputs do not fit, or `engine` is not the session's.
   */
  finishPart(engine: CamEngine, request: OutputRequest): ResultPart {
    this.assertOpen();
    if (engine !== this.engine) throw new InvalidInputError('this Score-CAM session belongs to another CamEngine');
    const missing = this.scored.indexOf(0);
    if (missing >= 0) {
      const masked = this.dims.batch * this.selection.perImage;
      const where = this.plan.samples > 1 ? ` (sample ${Math.floor(missing / masked)}, pair ${missing % masked})` : ` (pair ${missing}: image ${this.imageOf(missing)})`;
      throw new InvalidInputError(`no scores were added for pass ${missing} of ${this.passes}${where}; call addScores for every pass before finish`);
    }
    const plan = planOutputs(this.dims, request);
    checkBufferLimits(this.engine.device, [
      ['heatmaps', plan.heatmapBytes],
      ['overlays', plan.overlayBytes],
    ]);
    return {
      dims: this.dims,
      plan,
      request,
      status: this.status!,
      label: `wgcam ${this.method}`,
      activations: this.activations,
      encodeRaw: (inputs) => {
        const weights = inputs.batch.temporary(this.dims.batch * this.dims.targets * this.dims.channels * 4, STORAGE_USAGE, 'channel weights');
        encodeScoreFamilyWeights(inputs.batch, this.dims, this.plan, this.scores, this.selection, weights);
        return encodeWeightedSum(inputs, weights);
      },
      earlier: this.checks,
    };
  }

  /** @internal The finishing part was recorded and submitted: the status buffer is its result's now; closes the session. */
  finished(): void {
    this.status = null;
    this.release();
  }

  /** Returns the session's buffers to the engine's pool. */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const buffer of this.owned) this.engine.pool.release(buffer);
    if (this.status) this.engine.pool.release(this.status);
    this.status = null;
  }

  /** Records and submits one step in its own batch; a failed recording gives back what it acquired, once. */
  private step(label: string, record: (batch: CommandBatch) => void): void {
    this.stepChecked(label, record);
  }

  /** step, returning the batch's GPU check (also kept for the finished result). */
  private stepChecked(label: string, record: (batch: CommandBatch) => void): Promise<void> {
    this.assertOpen();
    this.engine.assertUsable();
    const check = new CommandBatch(this.engine.device, this.engine.pool, this.engine.debug, label).submitScoped(record);
    this.checks.push(check);
    return check;
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidInputError('this Score-CAM session is finished or released');
  }

  private checkChunk(first: number, count: number): void {
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count <= 0 || first + count > this.passes) {
      throw new InvalidInputError(`chunk ${first}..${first + count - 1} is outside the ${this.passes} passes`);
    }
  }
}
