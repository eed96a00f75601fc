import { resolve } from 'node:path';

/** What happened to one input of `wgcam explain`. */
export interface ImageReport {
  file: string;
  ok: boolean;
  error?: string;
  class?: number;
  label?: string;
  probability?: number;
  /** Heatmap maximum of the first method's top target, in heatmap pixels. */
  argmax?: { x: number; y: number };
  outputs: string[];
  /** Milliseconds per stage, summed over methods. */
  timings: { decode: number; preprocess: number; model: number; cam: number; readback: number; encode: number };
}

export function emptyTimings(): ImageReport['timings'] {
  return { decode: 0, preprocess: 0, model: 0, cam: 0, readback: 0, encode: 0 };
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The per-image summary table and the list of failures. */
export function formatSummary(reports: readonly ImageReport[], outDir: string): string {
  const headers = ['image', 'class', 'prob', 'decode', 'model', 'cam', 'read', 'encode'];
  const rows = reports.map((r) =>
    r.ok
      ? [r.file, r.label ?? String(r.class), (r.probability ?? 0).toFixed(3), ...(['decode', 'model', 'cam', 'readback', 'encode'] as const).map((k) => `${r.timings[k].toFixed(1)}`)]
      : [r.file, 'FAILED', '', '', '', '', '', ''],
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i >= 2)).join('  ');
  const failed = reports.filter((r) => !r.ok);
  const lines = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', '(times in ms per image, all methods; model = forward + backward)'];
  lines.push(`${reports.length - failed.length} of ${reports.length} images explained; pictures in ${resolve(outDir)}`);
  if (failed.length > 0) {
    lines.push(`${failed.length} failed:`);
    for (const f of failed) lines.push(`  ${f.file}: ${f.error}`);
  }
  return `${lines.join('\n')}\n`;
}
