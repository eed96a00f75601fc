import { GpuError, NonFiniteInputError, type NonFiniteSource } from './errors.js';
import type { BufferPool } from './gpu/buffer-pool.js';
import { readBuffers, type ReadRequest } from './gpu/readback.js';
import type { FeatureDims, Size2D } from './inputs.js';

const STATUS_SOURCES: readonly NonFiniteSource[] = ['activations', 'gradients', 'weights or scores', 'intermediate map'];

/** What CamResult.read returns; a field is null when that output was not requested. */
export interface CamOutputs {
  /** Normalised heatmaps in [0, 1], [B, K, H, W] row-major. */
  readonly heatmap: Float32Array | null;
  /** RGBA8 overlays, [B, K, H, W, 4]. */
  readonly overlay: Uint8Array | null;
}

/** Engine internals a result needs to read itself back and hand its buffers back. */
export interface ResultContext {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  /** Rejects if the device reported an error for the work behind this result. */
  readonly gpuChecks: () => Promise<void>;
}

/**
 * The GPU-resident outputs of one CamEngine.compute call. Nothing is read back until
 * `read` is called; `release` hands the buffers back to the engine's pool.
 *
 * @example
 * const result = engine.compute({ method: 'gradcam', activations, gradients, size: { height: 224, width: 224 } });
 * const { heatmap } = await result.read();
 * result.release();
 */
export class CamResult {
  private released = false;

  constructor(
    private readonly context: ResultContext,
    readonly dims: FeatureDims,
    /** Size of each heatmap, or null when no heatmap was requested. */
    readonly heatmapSize: Size2D | null,
    /** Size of each overlay, or null when no overlay was requested. */
    readonly overlaySize: Size2D | null,
    /** [B·K, H, W] float32 heatmaps on the GPU. */
    readonly heatmapBuffer: GPUBuffer | null,
    /** [B·K, H, W] packed RGBA8 overlays on the GPU (r in the low byte). */
    readonly overlayBuffer: GPUBuffer | null,
    private readonly status: GPUBuffer,
  ) {}

  /** Reads the requested outputs back; throws NonFiniteInputError if NaN/Inf reached the engine. */
  async read(): Promise<CamOutputs> {
    this.assertLive();
    return this.outputsOf(await this.readChecked(this.readRequests()));
  }

  /** @internal What read copies back: the status, then the heatmaps and the overlays that were requested. */
  readRequests(): ReadRequest[] {
    this.assertLive();
    const maps = this.dims.batch * this.dims.targets;
    const requests: ReadRequest[] = [{ buffer: this.status, bytes: 16 }];
    if (this.heatmapBuffer && this.heatmapSize) {
      requests.push({ buffer: this.heatmapBuffer, bytes: maps * this.heatmapSize.height * this.heatmapSize.width * 4 });
    }
    if (this.overlayBuffer && this.overlaySize) {
      requests.push({ buffer: this.overlayBuffer, bytes: maps * this.overlaySize.height * this.overlaySize.width * 4 });
    }
    return requests;
  }

  /** @internal The outputs from the data of readRequests, in its order; throws NonFiniteInputError if the status says NaN/Inf reached the engine. */
  outputsOf(data: readonly ArrayBuffer[]): CamOutputs {
    const [status, ...outputs] = data;
    throwIfNonFinite(new Uint32Array(status as ArrayBuffer));
    const heatmap = this.heatmapBuffer ? new Float32Array(outputs.shift() as ArrayBuffer) : null;
    const overlay = this.overlayBuffer ? new Uint8Array(outputs.shift() as ArrayBuffer) : null;
    return { heatmap, overlay };
  }

  /** @internal The GPU checks of the work behind this result (rejects with its GPU error). */
  gpuChecks(): Promise<void> {
    return this.context.gpuChecks();
  }

  /** The heatmaps alone. */
  async readHeatmap(): Promise<Float32Array> {
    const { heatmap } = await this.read();
    if (!heatmap) throw new GpuError('no heatmap was requested from this compute call (heatmap: false)');
    return heatmap;
  }

  /** The overlays alone. */
  async readOverlay(): Promise<Uint8Array> {
    const { overlay } = await this.read();
    if (!overlay) throw new GpuError('no overlay was requested from this compute call (pass overlay options)');
    return overlay;
  }

  /** Resolves once the GPU work finished without NaN/Inf, reading back only 16 bytes. */
  async check(): Promise<void> {
    this.assertLive();
    const [status] = await this.readChecked([{ buffer: this.status, bytes: 16 }]);
    throwIfNonFinite(new Uint32Array(status as ArrayBuffer));
  }

  /** Returns the result's buffers to the engine's pool; the result is unusable afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const { pool } = this.context;
    pool.release(this.status);
    if (this.heatmapBuffer) pool.release(this.heatmapBuffer);
    if (this.overlayBuffer) pool.release(this.overlayBuffer);
  }

  /**
   * Reads back and checks the GPU work at once, waiting for both: the readback's buffers
   * are back in the pool before this settles, and a GPU error of the work behind this
   * result is reported before a readback error it may have caused.
   */
  private async readChecked(requests: readonly ReadRequest[]): Promise<ArrayBuffer[]> {
    const [data, checks] = await Promise.allSettled([readBuffers(this.context.device, this.context.pool, requests), this.context.gpuChecks()]);
    if (checks.status === 'rejected') throw checks.reason;
    if (data.status === 'rejected') throw data.reason;
    return data.value;
  }

  private assertLive(): void {
    if (this.released) throw new GpuError('this CamResult was released; read it before calling release()');
  }
}

function throwIfNonFinite(flags: Uint32Array): void {
  const sources = STATUS_SOURCES.filter((_, i) => (flags[i] ?? 0) !== 0);
  if (sources.length > 0) throw new NonFiniteInputError(sources);
}
