import { resolve } from 'node:path';
import type { ImageReport } from '../explain/types.js';

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
  const lines = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', '(ms per image; model = the one forward + backward pass all methods share, plus Score-CAM\'s masked forward passes; cam = wgcam\'s kernels, summed over methods; encode = PNG/.npy/panel encoding, wall time on libvips threads)'];
  lines.push(`${reports.length - failed.length} of ${reports.length} images explained; pictures in ${resolve(outDir)}`);
  const skipped = new Map<string, string>();
  for (const r of reports) for (const s of r.skipped ?? []) skipped.set(s.method, s.reason);
  for (const [method, reason] of skipped) lines.push(`${method} skipped: ${reason}`);
  if (failed.length > 0) {
    lines.push(`${failed.length} failed:`);
    for (const f of failed) lines.push(`  ${f.file}: ${f.error}`);
  }
  return `${lines.join('\n')}\n`;
}
