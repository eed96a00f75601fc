import type { Agreement } from '../report/result-types.js';
import { byteDifferences, relativeL2 } from '@wgcam/core/reference';

/** The gate every baseline must pass before its times count: heatmaps within 1e-4 relative L2. */
export const HEATMAP_TOLERANCE = 1e-4;

/**
 * How a baseline's heatmap and overlay compare with wgcam's.
 *
 * @example
 * const a = agreement(baseline, wgcam);
 * if (a.heatmapRelL2 >= HEATMAP_TOLERANCE) throw new Error('baseline disagrees');
 */
export function agreement(baseline: { heatmap: ArrayLike<number>; overlay: ArrayLike<number> }, wgcam: { heatmap: ArrayLike<number>; overlay: ArrayLike<number> }): Agreement {
  const bytes = byteDifferences(baseline.overlay, wgcam.overlay);
  return { heatmapRelL2: relativeL2(baseline.heatmap, wgcam.heatmap), overlayBytesDiffering: bytes.count, overlayMaxDiff: bytes.max };
}

/** Whether an agreement passes the heatmap gate (NaN fails). */
export function agrees(a: Agreement): boolean {
  return a.heatmapRelL2 < HEATMAP_TOLERANCE;
}
