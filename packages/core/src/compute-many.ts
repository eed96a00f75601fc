// Several methods' explanations of the same inputs recorded into one submit (CamEngine.computeMany),
// and the group of results they give, read back with one staging buffer mapped once.
import { InvalidInputError } from './errors.js';
import type { BufferPool } from './gpu/buffer-pool.js';
import { mapStaging, readBuffers, type ReadRequest, type StagingLayout } from './gpu/readback.js';
import type { FeatureDims, TargetSpec, TensorSource } from './inputs.js';
import { isMethodName, METHOD_NAMES, type MethodName } from './methods.js';
import type { ScoreCamScores } from './method-inputs.js';
import type { OutputPlan, OutputRequest } from './output-plan.js';
import type { CamOutputs, CamResult } from './result.js';
import type { ScoreCamSession } from './scorecam-session.js';
import type { StageInputs } from './stages.js';

/** One method of a computeMany call, with what it reads besides the call's shared inputs. */
export interface MethodSpec {
  readonly method: MethodName;
  /** This method's gradients instead of the call's (Smooth Grad-CAM++: the noisy copies', sample-major). */
  readonly gradients?: TensorSource;
  /** Eigen smoothing, for the methods whose row lists the eigenSmooth option (see ComputeOptions.eigenSmooth). */
  readonly eigenSmooth?: boolean;
  /** Score-CAM given its scores (see ComputeOptions.scoreCam). */
  readonly scoreCam?: ScoreCamScores;
}

/** Several methods on the same activations (and gradients, dense kernel, targets) with the same outputs. */
export interface ManyComputeOptions extends OutputRequest {
  /**
   * The methods, in the order of the results: a name, a MethodSpec, or a ScoreCamSession of
   * this engine whose passes are all scored (it is finished into the same submit: the
   * session's own activations, targets and variant apply, and it closes once recorded).
   */
  readonly methods: readonly (MethodName | MethodSpec | ScoreCamSession)[];
  /** The target layer's activations, [B, h, w, C] NHWC, shared by every method. */
  readonly activations: TensorSource;
  /** Gradients for the gradient methods: [B, h, w, C] or [B, K, h, w, C]. */
  readonly gradients?: TensorSource;
  /** CAM's dense kernel after global average pooling, [C, classes]. */
  readonly denseKernel?: TensorSource;
  /** The class(es) the methods that need them explain (CAM, Score-CAM given its scores). */
  readonly targets?: TargetSpec;
  /**
   * Whether the submit also copies every output into one staging buffer for `read()` (default
   * true). false: nothing is staged, for results read later together with others (CamEngine.readAll).
   */
  readonly readback?: boolean;
}

/** The methods of a computeMany request checked: a non-empty list of known names, specs or sessions. */
export function checkManyMethods(methods: ManyComputeOptions['methods'], isSession: (m: unknown) => m is ScoreCamSession): (MethodSpec | ScoreCamSession)[] {
  if (!Array.isArray(methods) || methods.length === 0) throw new InvalidInputError(`methods must list at least one of ${METHOD_NAMES.join(', ')} (or a ScoreCamSession)`);
  return methods.map((entry: unknown) => {
    if (isSession(entry)) return entry;
    const spec = typeof entry === 'string' ? { method: entry } : (entry as MethodSpec | null);
    const name = spec?.method;
    if (typeof name !== 'string' || !isMethodName(name)) throw new InvalidInputError(`unknown method '${String(name)}'; use one of ${METHOD_NAMES.join(', ')}`);
    return spec as MethodSpec;
  });
}

/**
 * @internal One explanation to record into a batch (shared with other methods by
 * computeMany): its sizes, outputs, status buffer to adopt (null for a fresh one), where its
 * activations are, how its raw maps are made, and the checks of earlier batches it builds on.
 */
export interface ResultPart {
  readonly dims: FeatureDims;
  readonly plan: OutputPlan;
  readonly request: OutputRequest;
  readonly status: GPUBuffer | null;
  readonly label: string;
  readonly activations: TensorSource | GPUBuffer;
  readonly encodeRaw: (inputs: StageInputs) => GPUBuffer | { readonly maps: GPUBuffer; readonly ranges: GPUBuffer };
  readonly earlier: readonly Promise<void>[];
}

/** @internal A staging buffer whose copies of every output were recorded into the batch that made them. */
export interface StagedRead {
  readonly buffer: GPUBuffer;
  readonly layout: StagingLayout;
}

/**
 * The results of one computeMany call: one CamResult per method, in request order, and a
 * `read` that brings every output back with the copies recorded in the computing submit
 * and one map of one staging buffer. Each result can also be read on its own.
 *
 * @example
 * const results = engine.computeMany({ methods: ['gradcam', 'layercam'], activations, gradients, size });
 * const [gradcam, layercam] = await results.read();
 * results.release();
 */
export class CamResults {
  private staged: StagedRead | null;
  private released = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    /** One per method, in request order. */
    readonly results: readonly CamResult[],
    staged: StagedRead | null,
  ) {
    this.staged = staged;
  }

  /**
   * Every result's outputs, in request order: the first read maps the staging buffer the
   * computing submit filled (no further submit); a later one, or any read of a call made with
   * `readback: false`, copies them into one staging buffer in one submit and maps it once.
   * Throws the first GPU error of the work behind any result, else the NonFiniteInputError
   * of the first result, in request order, whose inputs held NaN/Inf.
   */
  async read(): Promise<CamOutputs[]> {
    if (this.released) throw new InvalidInputError('these CamResults were released; read them before calling release()');
    const staged = this.staged;
    this.staged = null;
    if (!staged) return readResults(this.device, this.pool, this.results);
    return readResults(this.device, this.pool, this.results, () => mapStaging(this.device, this.pool, staged.buffer, staged.layout, Promise.resolve(null)));
  }

  /** Returns every result's buffers (and an unread staging buffer) to the engine's pool. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const result of this.results) result.release();
    if (this.staged) this.pool.release(this.staged.buffer);
    this.staged = null;
  }
}

/**
 * @internal Reads several results back with one staging buffer mapped once: copied in one
 * submit, or already copied (`staged`). Throws the first GPU error of their work, else the
 * NonFiniteInputError of the first result, in order, whose inputs held NaN/Inf.
 */
export async function readResults(device: GPUDevice, pool: BufferPool, results: readonly CamResult[], staged?: () => Promise<ArrayBuffer[]>): Promise<CamOutputs[]> {
  const requests = results.map((r) => r.readRequests());
  const reading = staged ? staged() : readBuffers(device, pool, requests.flat() as ReadRequest[]);
  const [data, checks] = await Promise.allSettled([reading, Promise.all(results.map((r) => r.gpuChecks()))]);
  if (checks.status === 'rejected') throw checks.reason;
  if (data.status === 'rejected') throw data.reason;
  let at = 0;
  return results.map((result, i) => {
    const count = requests[i]!.length;
    const outputs = result.outputsOf(data.value.slice(at, at + count));
    at += count;
    return outputs;
  });
}
