import type { PoolCheck } from '../report/result-types.js';

/**
 * Pool counters after the warm-up and at the end; flat when the engine created no GPU
 * buffer in between.
 *
 * @example
 * const pool = poolCheck(afterWarmup, engine.poolStats());
 */
export function poolCheck(afterWarmup: PoolCheck['afterWarmup'], end: PoolCheck['end']): PoolCheck {
  return { afterWarmup, end, flat: end.created === afterWarmup.created && end.bytesCreated === afterWarmup.bytesCreated };
}
