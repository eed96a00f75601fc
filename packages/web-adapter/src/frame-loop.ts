import type { FrameSource } from './frame-source.js';

/** What the loop passes to each render call. */
export interface FrameTick {
  /** The source being shown. */
  readonly source: FrameSource;
  /** Frames rendered before this one since start(). */
  readonly index: number;
  /** The video frame's presentation time (requestVideoFrameCallback), else the animation-frame time, in ms. */
  readonly time: number;
}

/** Renders one frame; the returned promise settles once that frame's GPU work is done. */
export type FrameRenderer = (tick: FrameTick) => Promise<void>;

/** Options of a FrameLoop. */
export interface FrameLoopOptions {
  /** Called when a render rejects (console.error by default); the loop keeps going with the next frame. */
  readonly onError?: (error: unknown) => void;
  /** Seconds of history the fps estimate covers (default 1). */
  readonly fpsWindow?: number;
}

function reportToConsole(error: unknown): void {
  console.error('frame render failed:', error);
}

// Older Safari and Firefox lack requestVideoFrameCallback although the DOM types declare it.
function hasVideoFrameCallback(source: FrameSource): source is HTMLVideoElement {
  return typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement && typeof source.requestVideoFrameCallback === 'function';
}

/**
 * Drives rendering from a frame source with at most one frame of GPU work in flight: the
 * next frame is requested only after the previous render settled, so a slow GPU drops
 * camera frames instead of queueing them. A video with requestVideoFrameCallback renders
 * once per new camera frame; anything else (images, older browsers) on animation frames.
 *
 * @example
 * const loop = new FrameLoop(async ({ source }) => { await pipeline.render(source); await device.queue.onSubmittedWorkDone(); });
 * loop.start(video);
 * // later: loop.stop(); console.log(loop.fps);
 */
export class FrameLoop {
  private source: FrameSource | null = null;
  private generation = 0;
  private rendered = 0;
  private readonly stamps: number[] = [];
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly render: FrameRenderer,
    private readonly options: FrameLoopOptions = {},
  ) {}

  /** Frames rendered since the loop was created. */
  get frames(): number {
    return this.rendered;
  }

  /** Frames per second over the last `fpsWindow` seconds (0 before two frames). */
  get fps(): number {
    const n = this.stamps.length;
    if (n < 2) return 0;
    const span = (this.stamps[n - 1]! - this.stamps[0]!) / 1000;
    return span > 0 ? (n - 1) / span : 0;
  }

  /** Whether the loop is running. */
  get running(): boolean {
    return this.source !== null;
  }

  /** Starts (or moves) the loop onto `source`; a render in flight finishes first. */
  start(source: FrameSource): void {
    this.source = source;
    const generation = ++this.generation;
    this.stamps.length = 0;
    void this.pending.then(() => this.schedule(generation));
  }

  /** Stops requesting frames; resolves once a render in flight has settled. */
  async stop(): Promise<void> {
    this.source = null;
    this.generation += 1;
    await this.pending;
  }

  private schedule(generation: number): void {
    const source = this.source;
    if (!source || generation !== this.generation) return;
    if (hasVideoFrameCallback(source)) {
      source.requestVideoFrameCallback((now) => this.tick(generation, source, now));
    } else {
      requestAnimationFrame((now) => this.tick(generation, source, now));
    }
  }

  private tick(generation: number, source: FrameSource, time: number): void {
    if (generation !== this.generation) return;
    const index = this.rendered;
    this.pending = this.render({ source, index, time })
      .then(
        () => {
          this.rendered += 1;
          this.stamp();
        },
        (error: unknown) => (this.options.onError ?? reportToConsole)(error),
      )
      .finally(() => this.schedule(generation));
  }

  private stamp(): void {
    const now = performance.now();
    this.stamps.push(now);
    const window = (this.options.fpsWindow ?? 1) * 1000;
    while (this.stamps.length > 2 && now - this.stamps[0]! > window) this.stamps.shift();
  }
}
