import { GpuTimer } from '@wgcam/web-adapter';

/** Milliseconds per stage of one frame and where they were measured. */
export interface StageTimings {
  /** 'gpu': timestamp queries; 'cpu': wall clock with a GPU sync after each stage. */
  readonly source: 'gpu' | 'cpu';
  readonly input: number;
  readonly model: number;
  readonly cam: number;
  readonly draw: number;
  /** Wall-clock time of the whole frame on the CPU. */
  readonly total: number;
}

type Stage = 'input' | 'model' | 'cam';

// Timestamp slots: input pass begin/end, model end, CAM end, draw pass begin/end.
const SLOTS = { inputBegin: 0, inputEnd: 1, model: 2, cam: 3, drawBegin: 4, drawEnd: 5 } as const;

/**
 * Times a frame's stages. With 'timestamp-query' it brackets the stages with GPU
 * timestamps (no extra syncs); without, it waits for the GPU after each stage and reads
 * the CPU clock, which costs a little throughput but still splits the frame honestly.
 *
 * @example
 * clock.begin(); await input.upload(video, clock.inputWrites()); await clock.lap('input');
 * ...; await clock.lap('model'); ...; await clock.lap('cam');
 * presenter.draw(pixels, size, { timestampWrites: clock.drawWrites() });
 * const timings = await clock.finish();
 */
export class StageClock {
  private readonly timer: GpuTimer | null;
  private readonly cpu: number[] = [];
  private started = 0;

  /** `useGpu: false` times on the CPU even where timestamps exist (to compare, or to test that path). */
  constructor(
    private readonly device: GPUDevice,
    useGpu = true,
  ) {
    this.timer = useGpu ? GpuTimer.create(device, 6) : null;
  }

  /** Whether stages are timed on the GPU. */
  get gpu(): boolean {
    return this.timer !== null;
  }

  begin(): void {
    this.started = performance.now();
    this.cpu.length = 0;
  }

  inputWrites(): GPUComputePassTimestampWrites | undefined {
    return this.timer?.computePass(SLOTS.inputBegin, SLOTS.inputEnd);
  }

  drawWrites(): GPURenderPassTimestampWrites | undefined {
    return this.timer?.renderPass(SLOTS.drawBegin, SLOTS.drawEnd);
  }

  /** Marks the end of a stage whose GPU work has been submitted. */
  async lap(stage: Stage): Promise<void> {
    if (this.timer) {
      if (stage !== 'input') this.timer.mark(stage === 'model' ? SLOTS.model : SLOTS.cam);
      return;
    }
    await this.device.queue.onSubmittedWorkDone();
    this.cpu.push(performance.now());
  }

  /** Waits for the frame's GPU work and returns its stage times. */
  async finish(): Promise<StageTimings> {
    if (this.timer) {
      const [ticks] = await Promise.all([this.timer.read(), this.device.queue.onSubmittedWorkDone()]);
      const at = (slot: number): number => ticks?.[slot] ?? Number.NaN;
      return {
        source: 'gpu',
        input: at(SLOTS.inputEnd) - at(SLOTS.inputBegin),
        model: at(SLOTS.model) - at(SLOTS.inputEnd),
        cam: at(SLOTS.cam) - at(SLOTS.model),
        draw: at(SLOTS.drawEnd) - at(SLOTS.drawBegin),
        total: performance.now() - this.started,
      };
    }
    await this.device.queue.onSubmittedWorkDone();
    const end = performance.now();
    const [input = end, model = end, cam = end] = this.cpu;
    return { source: 'cpu', input: input - this.started, model: model - input, cam: cam - model, draw: end - cam, total: end - this.started };
  }

  destroy(): void {
    this.timer?.destroy();
  }
}
