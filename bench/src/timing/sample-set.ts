import type { Samples } from '../report/result-types.js';
import type { Clock, SpanTime } from './span-timer.js';

/**
 * Collects the samples of one span across rounds.
 *
 * @example
 * const post = new SampleSet(timer.clock);
 * post.add(await timer.time(work));
 * readback.add(await timer.timeWall(read));
 * post.samples(); // { clock, ms, wallMs }
 */
export class SampleSet {
  private readonly ms: number[] = [];
  private readonly wallMs: number[] = [];

  constructor(private readonly clock: Clock) {}

  add(time: SpanTime): void {
    this.ms.push(time.ms);
    this.wallMs.push(time.wallMs);
  }

  samples(): Samples {
    return { clock: this.clock, ms: [...this.ms], wallMs: [...this.wallMs] };
  }
}

/** A sample set for CPU-side spans (readbacks, JavaScript loops): always wall time. */
export function wallSampleSet(): SampleSet {
  return new SampleSet('wall');
}
