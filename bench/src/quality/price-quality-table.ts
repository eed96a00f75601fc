// The price and quality table as markdown.
import type { FaithfulnessSummary, MethodName } from '@wgcam/core';

/** One method's row. */
export interface PriceQualityRow extends FaithfulnessSummary {
  readonly method: MethodName;
  readonly title: string;
  /** Milliseconds per explanation (one batch of all images, divided). */
  readonly explainMs: number;
  /** Pointing game and energy pointing game against the ground-truth masks. */
  readonly pointing: number;
  readonly energy: number;
  /** Milliseconds of the faithfulness metrics per image (forward passes and kernels). */
  readonly metricsMs: number;
}

/** What the metrics' kernels cost next to the forward passes they feed, for one image. */
export interface KernelShare {
  readonly entries: number;
  readonly kernelsMs: number;
  readonly forwardMs: number;
  /** Copying each chunk to the model's backend when it is not on the engine's device. */
  readonly transferMs: number;
  readonly byKindMs: Readonly<Record<string, number>>;
  /**
   * The same inputs' first pass, before the share above: it includes compiling the metric
   * kernels' pipelines and the model's programs for these batch shapes, a one-time cost
   * per process (about 3 s of CPU for road_impute on SwiftShader) that says nothing about
   * the kernels' cost per image.
   */
  readonly firstPass?: { readonly kernelsMs: number; readonly forwardMs: number; readonly byKindMs: Readonly<Record<string, number>> };
}

/**
 * Markdown: the table (best value of each metric in bold) and the kernels' share.
 *
 * @example
 * writeFileSync('price-quality.md', formatPriceQuality(rows, share, environment));
 */
export function formatPriceQuality(rows: readonly PriceQualityRow[], share: KernelShare, environment: Readonly<Record<string, string | number>>): string {
  const columns: [string, (r: PriceQualityRow) => number, 'min' | 'max' | null, number][] = [
    ['ms / explanation', (r) => r.explainMs, null, 1],
    ['pointing game ↑', (r) => r.pointing, 'max', 3],
    ['energy PG ↑', (r) => r.energy, 'max', 3],
    ['deletion AUC ↓', (r) => r.deletionAuc, 'min', 3],
    ['insertion AUC ↑', (r) => r.insertionAuc, 'max', 3],
    ['avg drop ↓', (r) => r.averageDrop, 'min', 3],
    ['avg increase ↑', (r) => r.increaseInConfidence, 'max', 3],
    ['ROAD MoRF ↓', (r) => r.roadMorf, 'min', 3],
    ['ROAD LeRF', (r) => r.roadLerf, null, 3],
    ['ROAD (LeRF−MoRF)/2 ↑', (r) => r.roadCombined, 'max', 3],
    ['metrics ms / image', (r) => r.metricsMs, null, 0],
  ];
  const best = columns.map(([, get, rule]) => (rule === null || rows.length === 0 ? null : rule === 'min' ? Math.min(...rows.map(get)) : Math.max(...rows.map(get))));
  const table = rows.length === 0 ? [] : [
    `| method | ${columns.map((c) => c[0]).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...rows.map((r) => `| ${r.title} | ${columns.map(([, get, , digits], i) => {
      const text = get(r).toFixed(digits);
      return best[i] !== null && get(r) === best[i] ? `**${text}**` : text;
    }).join(' | ')} |`),
  ];
  const lines = [
    `Price and quality (${Object.entries(environment).map(([k, v]) => `${k}: ${v}`).join('; ')})`,
    '',
    ...table,
    '',
    `Metric kernels vs the forward passes they feed (one image, ${share.entries} perturbed inputs, chunks of at most 64 within one kind${share.firstPass ? '; a second pass over the same inputs, pipelines compiled' : ''}): kernels ${share.kernelsMs.toFixed(1)} ms, forward passes ${share.forwardMs.toFixed(1)} ms, ` +
      `share ${((100 * share.kernelsMs) / share.forwardMs).toFixed(1)}% (target < 10%); copies to the model's backend ${share.transferMs.toFixed(1)} ms. ` +
      `By kind: ${byKind(share.byKindMs)}.` +
      (share.firstPass
        ? ` First pass, compiling included: kernels ${share.firstPass.kernelsMs.toFixed(1)} ms, forward passes ${share.firstPass.forwardMs.toFixed(1)} ms, ` +
          `${((100 * share.firstPass.kernelsMs) / share.firstPass.forwardMs).toFixed(1)}%; by kind: ${byKind(share.firstPass.byKindMs)}.`
        : ''),
    '',
  ];
  return lines.join('\n');
}

function byKind(ms: Readonly<Record<string, number>>): string {
  return Object.entries(ms).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ');
}
