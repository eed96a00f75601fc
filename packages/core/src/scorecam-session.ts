import type { CamEngine } from './engine.js';
import { InvalidInputError, ShapeError } from './errors.js';
import { CommandBatch } from './gpu/command-batch.js';
import { STORAGE_USAGE } from './gpu/flags.js';
import { activationDims, checkData, checkShape, isGpuBuffer, resolveTargets, type FeatureDims, type TargetSpec, type TensorSource } from './inputs.js';
import { checkBufferLimits, planOutputs, type OutputRequest } from './output-plan.js';
import type { CamResult } from './result.js';
import {
  encodeChannelRanges,
  encodeChannelSoftmax,
  encodeScoreCamMasks,
  encodeScoreWeights,
  type ModelInputDims,
  type ScoreCamVariant,
} from './scorecam-stages.js';
import { encodeWeightedSum } from './stages.js';

/** What a Score-CAM session needs up front. */
export interface ScoreCamSessionOptions {
  /** The target layer's activations, [B, h, w, C]. */
  readonly activations: TensorSource;
  /** The model input the masks multiply, [B, H, W, Cin]. */
  readonly input: TensorSource;
  /** The class(es) to explain: one for all, one per image, or K per image. */
  readonly targets: TargetSpec;
  /** Number of classes in the model's output. */
  readonly classes: number;
  /** 'probability' (the authors' code, default) or 'channel-softmax' (pytorch-grad-cam). */
  readonly variant?: ScoreCamVariant;
}

/**
 * A Score-CAM explanation in progress. It keeps the activations, the model input, the
 * channel ranges and the channel weights on the GPU while the caller runs the model on
 * each chunk of masked inputs; every step is its own submit so chunks can interleave
 * with the model's own work. Create it with `engine.scoreCam(...)`.
 *
 * @example
 * const session = engine.scoreCam({ activations, input, targets: [3], classes: 10 });
 * session.writeMasks(0, session.pairs, maskedBuffer);
 * session.addScores(0, session.pairs, { data: logits, shape: [session.pairs, 10] });
 * const heatmap = await session.finish({}).readHeatmap();
 */
export class ScoreCamSession {
  readonly dims: FeatureDims;
  readonly input: ModelInputDims;
  /** Masked inputs in all: one per (image, channel) pair. */
  readonly pairs: number;
  readonly classes: number;
  readonly variant: ScoreCamVariant;
  private readonly owned: GPUBuffer[] = [];
  private readonly activations: GPUBuffer;
  private readonly inputBuffer: GPUBuffer;
  private readonly ranges: GPUBuffer;
  private readonly weights: GPUBuffer;
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
    const base = activationDims(options.activations);
    checkShape('input', options.input.shape, 4, '[B, H, W, Cin] (the model input)');
    checkData('input', options.input);
    const [batch, height, width, channels] = options.input.shape as [number, number, number, number];
    if (batch !== base.batch) throw new ShapeError(`input has ${batch} images but the activations have ${base.batch}`);
    if (!Number.isInteger(options.classes) || options.classes <= 0) throw new InvalidInputError(`classes must be a positive integer; got ${options.classes}`);
    const targetIds = resolveTargets(options.targets, base.batch, options.classes);
    this.dims = { ...base, targets: targetIds.length / base.batch };
    this.input = { height, width, channels };
    this.pairs = base.batch * base.channels;
    this.classes = options.classes;
    this.variant = options.variant ?? 'probability';
    this.scored = new Uint8Array(this.pairs);
    checkBufferLimits(engine.device, [
      ['activations', this.pairs * base.height * base.width * 4],
      ['model input', batch * height * width * channels * 4],
      ['one masked input', height * width * channels * 4],
    ]);

    const acquire = (bytes: number, label: string): GPUBuffer => {
      const buffer = engine.pool.acquire(bytes, STORAGE_USAGE, label);
      this.owned.push(buffer);
      return buffer;
    };
    const persistent = (source: TensorSource, label: string): GPUBuffer => {
      if (isGpuBuffer(source.data)) return source.data;
      const buffer = acquire(source.data.byteLength, label);
      engine.device.queue.writeBuffer(buffer, 0, source.data.buffer, source.data.byteOffset, source.data.byteLength);
      return buffer;
    };
    // If anything fails, what was acquired so far goes back to the pool, once.
    engine.assertUsable();
    const setup = new CommandBatch(engine.device, engine.pool, engine.debug, 'scorecam ranges');
    try {
      this.activations = persistent(options.activations, 'scorecam activations');
      this.inputBuffer = persistent(options.input, 'scorecam input');
      this.targets = acquire(targetIds.byteLength, 'scorecam targets');
      engine.device.queue.writeBuffer(this.targets, 0, targetIds);
      this.ranges = acquire(this.pairs * 8, 'channel ranges');
      this.weights = acquire(this.dims.batch * this.dims.targets * this.dims.channels * 4, 'channel weights');
      this.status = engine.pool.acquire(16, STORAGE_USAGE, 'wgcam status');
      setup.commands().clearBuffer(this.status);
      encodeChannelRanges(setup, this.dims, this.activations, this.input, this.status, this.ranges);
      setup.submit();
    } catch (error) {
      setup.abandon();
      this.release();
      throw error;
    }
    this.checks.push(setup.checked());
  }

  /** Bytes that `count` masked inputs take: count·H·W·Cin float32. */
  maskBytes(count: number): number {
    return count * this.input.height * this.input.width * this.input.channels * 4;
  }

  /** Writes masked inputs of pairs first..first+count−1 ((b, c) in B·C order) into `out`, [count, H, W, Cin]. */
  writeMasks(first: number, count: number, out: GPUBuffer): void {
    this.checkChunk(first, count);
    if (out.size < this.maskBytes(count)) throw new ShapeError(`the mask buffer holds ${out.size} bytes; ${count} masked inputs need ${this.maskBytes(count)}`);
    this.step('scorecam masks', (batch) => {
      encodeScoreCamMasks(batch, this.dims, { activations: this.activations, ranges: this.ranges, input: this.inputBuffer, out }, this.input, first, count);
    });
  }

  /** Turns the model's logits on masked inputs first..first+count−1 ([count, classes]) into channel weights. */
  addScores(first: number, count: number, logits: TensorSource): void {
    this.checkChunk(first, count);
    checkShape('logits', logits.shape, 2, '[count, classes]');
    checkData('logits', logits);
    if (logits.shape[0] !== count || logits.shape[1] !== this.classes) {
      throw new ShapeError(`logits have shape [${logits.shape.join(', ')}]; this chunk needs [${count}, ${this.classes}]`);
    }
    this.step('scorecam weights', (batch) => {
      const buffer = this.engine.bufferFor(batch, logits, 'scorecam logits');
      encodeScoreWeights(batch, this.dims, { logits: buffer, targets: this.targets, ranges: this.ranges, weights: this.weights, status: this.status! }, this.classes, first, count, this.variant);
    });
    this.scored.fill(1, first, first + count);
  }

  /** Builds the maps from the collected weights and post-processes them; closes the session. */
  finish(request: OutputRequest = {}): CamResult {
    this.assertOpen();
    const missing = this.scored.indexOf(0);
    if (missing >= 0) throw new InvalidInputError(`no scores were added for pair ${missing} (image ${Math.floor(missing / this.dims.channels)}, channel ${missing % this.dims.channels}); call addScores for every pair before finish`);
    const plan = planOutputs(this.dims, request);
    checkBufferLimits(this.engine.device, [
      ['heatmaps', plan.heatmapBytes],
      ['overlays', plan.overlayBytes],
    ]);
    const status = this.status!;
    // If execute throws, the status buffer is still this session's and release() frees it once.
    const result = this.engine.execute(
      this.dims,
      plan,
      request,
      status,
      'wgcam scorecam',
      this.activations,
      (inputs) => {
        if (this.variant === 'channel-softmax') encodeChannelSoftmax(inputs.batch, this.dims, this.weights);
        return encodeWeightedSum(inputs, this.weights);
      },
      this.checks,
    );
    this.status = null; // now the result's
    this.release();
    return result;
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
    this.assertOpen();
    this.engine.assertUsable();
    const batch = new CommandBatch(this.engine.device, this.engine.pool, this.engine.debug, label);
    try {
      batch.scoped(() => {
        record(batch);
        batch.submit();
      });
    } catch (error) {
      batch.abandon();
      throw error;
    }
    this.checks.push(batch.checked());
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidInputError('this Score-CAM session is finished or released');
  }

  private checkChunk(first: number, count: number): void {
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count <= 0 || first + count > this.pairs) {
      throw new InvalidInputError(`chunk ${first}..${first + count - 1} is outside the ${this.pairs} (image, channel) pairs`);
    }
  }
}
