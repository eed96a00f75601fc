import type { CamEngine } from './engine.js';
import { InvalidInputError, NonFiniteInputError, ShapeError } from './errors.js';
import { CommandBatch } from './gpu/command-batch.js';
import { BufferUsage, STORAGE_USAGE } from './gpu/flags.js';
import { readBuffers } from './gpu/readback.js';
import { checkData, checkShape, isGpuBuffer, resolveTargets, type TargetSpec, type TensorSource } from './inputs.js';
import { checkBufferLimits } from './output-plan.js';
import {
  planFaithfulness,
  roadPositions,
  resolveFaithfulnessOptions,
  summarizeFaithfulness,
  type FaithfulnessOptions,
  type FaithfulnessPlan,
  type FaithfulnessScores,
  type PerturbationKind,
} from './faithfulness-plan.js';
import { encodeMapRanks, encodeMetricScores, encodePerturbations, perturbationPipeline } from './faithfulness-stages.js';
import { gpuWait } from './gpu/gpu-wait.js';
import { preparePipeline } from './gpu/pipeline-cache.js';
import type { ModelInputDims } from './inputs.js';

/** What a faithfulness session needs up front. */
export interface FaithfulnessSessionOptions extends FaithfulnessOptions {
  /** The model input (after preprocessing) the maps explain, [B, H, W, Cin]. */
  readonly input: TensorSource;
  /** One map per image at the input's size, [B, H, W], values in [0, 1] (an explanation's normalised heatmap). */
  readonly maps: { readonly data: Float32Array; readonly shape: readonly number[] };
  /** The class each image's map explains: one for all or one per image. */
  readonly targets: TargetSpec;
  /** Number of classes in the model's output. */
  readonly classes: number;
}

/** Checks that maps are [B, H, W], finite and in [0, 1], saying how to fix them. */
function checkMaps(maps: FaithfulnessSessionOptions['maps'], batch: number, height: number, width: number): void {
  checkShape('maps', maps.shape, 3, '[B, H, W] (one map per image at the model input size)');
  if (!(maps.data instanceof Float32Array)) throw new InvalidInputError('maps.data must be a Float32Array');
  checkData('maps', maps);
  const [b, h, w] = maps.shape as [number, number, number];
  if (b !== batch || h !== height || w !== width) {
    throw new ShapeError(`maps have shape [${b}, ${h}, ${w}] but the input needs [${batch}, ${height}, ${width}] (one map per image at the model input size; resize the heatmap or explain with size: 'input')`);
  }
  for (let i = 0; i < maps.data.length; i++) {
    const v = maps.data[i]!;
    if (!Number.isFinite(v)) throw new InvalidInputError(`maps[${i}] is ${v}; maps must be finite values in [0, 1]`);
    if (v < 0 || v > 1) throw new InvalidInputError(`maps[${i}] is ${v}; maps must lie in [0, 1]: min-max normalise them first (explanations' heatmaps already are)`);
  }
}

/**
 * Faithfulness metrics of maps in progress: deletion and insertion curves, Average Drop /
 * Increase in Confidence and ROAD. The session keeps the input, the maps, their ranks and
 * the scores on the GPU; the caller runs the model on each chunk of perturbed inputs the
 * session writes (`writeInputs`) and hands back the logits (`addScores`), and `finish`
 * reads every score back once and summarises them.
 *
 * @example
 * const session = new FaithfulnessSession(engine, { input, maps, targets: [2], classes: 5 });
 * for (let first = 0; first < session.entries; first += 64) {
 *   const count = Math.min(64, session.entries - first);
 *   await session.inputsReady(first, count); // kernels compile in the background from construction
 *   session.writeInputs(first, count, batchBuffer);
 *   session.addScores(first, count, { data: logitsBuffer, shape: [count, 5] });
 * }
 * const [scores] = await session.finish();
 * console.log(scores.deletion.auc, scores.road.combined);
 */
export class FaithfulnessSession {
  readonly plan: FaithfulnessPlan;
  readonly input: ModelInputDims;
  readonly classes: number;
  private readonly owned: GPUBuffer[] = [];
  private readonly inputBuffer: GPUBuffer;
  private readonly mapBuffer: GPUBuffer;
  private readonly ranks: GPUBuffer;
  private readonly positions: GPUBuffer;
  private readonly targetBuffer: GPUBuffer;
  private readonly entryImages: GPUBuffer;
  private readonly scores: GPUBuffer;
  private readonly scored: Uint8Array;
  /** Background compiles of the kernels that write each kind of input (inputsReady). */
  private readonly compiles = new Map<PerturbationKind, Promise<void>>();
  /** The GPU checks of every batch so far; `readScores` reports the first error among them. */
  private readonly checks: Promise<void>[] = [];
  private closed = false;

  constructor(
    private readonly engine: CamEngine,
    options: FaithfulnessSessionOptions,
  ) {
    engine.assertUsable();
    checkShape('input', options.input.shape, 4, '[B, H, W, Cin] (the model input)');
    checkData('input', options.input);
    const [batch, height, width, channels] = options.input.shape as [number, number, number, number];
    checkMaps(options.maps, batch, height, width);
    if (!Number.isInteger(options.classes) || options.classes <= 0) throw new InvalidInputError(`classes must be a positive integer; got ${options.classes}`);
    const targets = resolveTargets(options.targets, batch, options.classes);
    if (targets.length !== batch) throw new ShapeError(`faithfulness metrics take one target per image; got ${targets.length / batch} per image`);
    this.plan = planFaithfulness(batch, resolveFaithfulnessOptions(options));
    this.input = { height, width, channels };
    this.classes = options.classes;
    this.scored = new Uint8Array(this.plan.entries);
    const pixels = height * width;
    checkBufferLimits(engine.device, [
      ['model input', batch * pixels * channels * 4],
      ['one perturbed input', pixels * channels * 4],
    ]);

    const acquire = (bytes: number, label: string): GPUBuffer => {
      const buffer = engine.pool.acquire(bytes, STORAGE_USAGE, label);
      this.owned.push(buffer);
      return buffer;
    };
    const upload = (data: ArrayBufferView, label: string): GPUBuffer => {
      const buffer = acquire(data.byteLength, label);
      engine.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return buffer;
    };
    // The uploads and the ranks run in the setup batch's error scopes; if anything fails,
    // what was acquired so far goes back to the pool, once, and that error is the one thrown.
    const setup = this.batch('faithfulness ranks');
    try {
      const buffers = setup.scoped(() => {
        const inputBuffer = isGpuBuffer(options.input.data) ? options.input.data : upload(options.input.data, 'faithfulness input');
        const mapBuffer = upload(options.maps.data, 'faithfulness maps');
        const positions = upload(roadPositions(this.plan.options.percentiles, pixels), 'road percentile positions');
        const targetBuffer = upload(targets, 'faithfulness targets');
        const entryImages = upload(this.plan.entryImages, 'faithfulness entry images');
        const ranks = acquire(batch * pixels * 8, 'map ranks');
        const scores = engine.pool.acquire(this.plan.entries * 4, STORAGE_USAGE | BufferUsage.COPY_SRC, 'faithfulness scores');
        this.owned.push(scores);
        encodeMapRanks(setup, mapBuffer, batch, pixels, ranks);
        setup.submit();
        return { inputBuffer, mapBuffer, positions, targetBuffer, entryImages, ranks, scores };
      });
      ({ inputBuffer: this.inputBuffer, mapBuffer: this.mapBuffer, positions: this.positions, targetBuffer: this.targetBuffer, entryImages: this.entryImages, ranks: this.ranks, scores: this.scores } = buffers);
    } catch (error) {
      setup.abandon();
      this.release();
      throw error;
    }
    this.checks.push(setup.checked());
    for (const segment of this.plan.segments) {
      const { kernel, overrides } = perturbationPipeline(segment.kind, pixels, engine.device);
      this.compiles.set(segment.kind, preparePipeline(engine.device, kernel, overrides));
    }
  }

  /** Perturbed inputs in all: B·(2·(T+1) + 1 + 2·P). */
  get entries(): number {
    return this.plan.entries;
  }

  /** Bytes that `count` perturbed inputs take: count·H·W·Cin float32. */
  inputBytes(count: number): number {
    return count * this.input.height * this.input.width * this.input.channels * 4;
  }

  /**
   * Resolves once the kernels that writeInputs(first, count) runs are compiled; never
   * rejects. The session starts compiling them in the background when it is created (ROAD's
   * solver takes about a second on a software adapter), so a runner that awaits this before
   * each write lets the compile overlap the model's forward passes on earlier chunks instead
   * of blocking the thread. writeInputs works without it.
   *
   * @example
   * await session.inputsReady(first, count);
   * session.writeInputs(first, count, batchBuffer);
   */
  async inputsReady(first: number, count: number): Promise<void> {
    this.checkChunk(first, count);
    const kinds = this.plan.segments.filter((s) => s.start < first + count && s.start + s.count > first).map((s) => s.kind);
    // Through the device's wait: on Dawn's Node binding a bare await of a pending compile
    // keeps a core busy polling for it (see setGpuWait).
    await gpuWait(this.engine.device, Promise.all(kinds.map((kind) => this.compiles.get(kind))));
  }

  /** Writes perturbed inputs first..first+count−1 (plan order) into `out`, [count, H, W, Cin]; one submit. */
  writeInputs(first: number, count: number, out: GPUBuffer): void {
    this.assertOpen();
    this.checkChunk(first, count);
    if (out.size < this.inputBytes(count)) throw new ShapeError(`the input buffer holds ${out.size} bytes; ${count} perturbed inputs need ${this.inputBytes(count)}`);
    this.step('faithfulness inputs', (batch) =>
      encodePerturbations(
        batch,
        this.plan,
        this.input,
        { input: this.inputBuffer, maps: this.mapBuffer, ranks: this.ranks, positions: this.positions },
        first,
        count,
        out,
      ),
    );
  }

  /** Turns the model's logits on entries first..first+count−1 ([count, classes]) into target scores, on the GPU. */
  addScores(first: number, count: number, logits: TensorSource): void {
    this.checkChunk(first, count);
    checkShape('logits', logits.shape, 2, '[count, classes]');
    checkData('logits', logits);
    if (logits.shape[0] !== count || logits.shape[1] !== this.classes) {
      throw new ShapeError(`logits have shape [${logits.shape.join(', ')}]; this chunk needs [${count}, ${this.classes}]`);
    }
    this.step('faithfulness scores', (batch) => {
      const buffer = this.engine.bufferFor(batch, logits, 'faithfulness logits');
      encodeMetricScores(batch, { logits: buffer, targets: this.targetBuffer, entryImages: this.entryImages, scores: this.scores }, this.classes, first, count, this.plan.options.score);
    });
    this.scored.fill(1, first, first + count);
  }

  /**
   * The raw target scores of every entry, in plan order (one readback). Rejects with a
   * GpuError when any batch of the session (ranks, perturbed inputs, scores) raised a GPU
   * error: the first one, in the order the batches ran.
   */
  async readScores(): Promise<Float32Array> {
    this.assertOpen();
    const missing = this.scored.indexOf(0);
    if (missing >= 0) throw new InvalidInputError(`no scores were added for entry ${missing}; call addScores for every entry before finish`);
    for (const check of this.checks) await check;
    this.engine.assertUsable();
    const [bytes] = await readBuffers(this.engine.device, this.engine.pool, [{ buffer: this.scores, bytes: this.plan.entries * 4 }]);
    const scores = new Float32Array(bytes!);
    const bad = scores.findIndex((s) => !Number.isFinite(s));
    // A NaN or Inf logit makes its score non-finite: say so instead of returning NaN metrics.
    if (bad >= 0) throw new NonFiniteInputError(['weights or scores']);
    return scores;
  }

  /** Reads the scores back once, summarises each image's metrics and releases the session. */
  async finish(): Promise<FaithfulnessScores[]> {
    try {
      return summarizeFaithfulness(this.plan, await this.readScores());
    } finally {
      this.release();
    }
  }

  /** Returns the session's buffers to the engine's pool. */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const buffer of this.owned) this.engine.pool.release(buffer);
  }

  private batch(label: string): CommandBatch {
    this.assertOpen();
    this.engine.assertUsable();
    return new CommandBatch(this.engine.device, this.engine.pool, this.engine.debug, label);
  }

  /** Records and submits one step in its own batch; a failed recording gives back what it acquired, once, and rethrows its error. */
  private step(label: string, record: (batch: CommandBatch) => void): void {
    this.checks.push(this.batch(label).submitScoped(record));
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidInputError('this faithfulness session is finished or released');
  }

  private checkChunk(first: number, count: number): void {
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count <= 0 || first + count > this.plan.entries) {
      throw new InvalidInputError(`chunk ${first}..${first + count - 1} is outside the ${this.plan.entries} perturbed inputs`);
    }
  }
}
