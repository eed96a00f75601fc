// A plain SVG chart of a run: for each model and batch (Grad-CAM), the model pass and the
// three ways of post-processing on a log time axis; below it, each scaling sweep on
// log-log axes. Generated as text, so it needs no plotting library in either runtime.
import { methodRows } from './derive.js';
import { ms } from './format.js';
import type { BenchResults } from './result-types.js';
import { median } from '../stats/summary.js';

const WIDTH = 900;
const LABEL_WIDTH = 190;
const BAR_HEIGHT = 9;
const SERIES = [
  { key: 'model', label: 'model pass (fwd+bwd)', colour: '#9e9e9e' },
  { key: 'wgcam', label: 'wgcam post + readback', colour: '#1b7837' },
  { key: 'tfjs', label: 'TF.js ops (baseline 1)', colour: '#2166ac' },
  { key: 'cpu', label: 'CPU loops (baseline 2)', colour: '#b2182b' },
] as const;
const LINE_COLOURS = ['#1b7837', '#2166ac', '#b2182b', '#762a83', '#e08214'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Decades from 10^lo to 10^hi that cover [min, max]. */
function decades(min: number, max: number): [number, number] {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-6)));
  const hi = Math.ceil(Math.log10(Math.max(max, min * 10, 1e-6)));
  return [lo, hi === lo ? lo + 1 : hi];
}

function barsPanel(results: BenchResults, top: number, out: string[]): number {
  const rows = methodRows(results.cases).filter((r) => r.method === 'gradcam');
  if (rows.length === 0) return top;
  const values = rows.map((r) => ({
    label: `${r.model} B=${r.batch}`,
    model: r.modelPass.median,
    wgcam: r.wgcamPost.median + r.wgcamReadback.median,
    tfjs: r.tfjsOps.median,
    cpu: r.cpu.median,
  }));
  const all = values.flatMap((v) => [v.model, v.wgcam, v.tfjs, v.cpu]).filter((x) => x > 0);
  const [lo, hi] = decades(Math.min(...all), Math.max(...all));
  const plotWidth = WIDTH - LABEL_WIDTH - 80;
  const x = (v: number): number => LABEL_WIDTH + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotWidth;
  out.push(`<text x="10" y="${top + 16}" font-size="14" font-weight="bold">Grad-CAM: model pass and post-processing, ms (log scale, medians)</text>`);
  let y = top + 30;
  SERIES.forEach((s, i) => {
    out.push(`<rect x="${LABEL_WIDTH + i * 170}" y="${y}" width="10" height="10" fill="${s.colour}"/><text x="${LABEL_WIDTH + i * 170 + 14}" y="${y + 9}" font-size="11">${escape(s.label)}</text>`);
  });
  y += 22;
  const plotTop = y;
  for (const v of values) {
    out.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 2 * BAR_HEIGHT + 4}" font-size="11" text-anchor="end">${escape(v.label)}</text>`);
    SERIES.forEach((s, i) => {
      const value = v[s.key];
      const by = y + i * (BAR_HEIGHT + 1);
      out.push(`<rect x="${LABEL_WIDTH}" y="${by}" width="${(x(value) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT}" fill="${s.colour}"/>`);
      out.push(`<text x="${(x(value) + 3).toFixed(1)}" y="${by + BAR_HEIGHT - 1}" font-size="9">${ms(value)}</text>`);
    });
    y += SERIES.length * (BAR_HEIGHT + 1) + 10;
  }
  for (let d = lo; d <= hi; d++) {
    const gx = x(10 ** d).toFixed(1);
    out.push(`<line x1="${gx}" y1="${plotTop - 4}" x2="${gx}" y2="${y}" stroke="#ccc" stroke-width="0.5"/>`);
    out.push(`<text x="${gx}" y="${y + 12}" font-size="10" text-anchor="middle">${ms(10 ** d)}</text>`);
  }
  return y + 24;
}

function scalingPanel(results: BenchResults, top: number, out: string[]): number {
  const series = results.scaling;
  if (series.length === 0) return top;
  const panelWidth = (WIDTH - 40) / Math.min(series.length, 3);
  const panelHeight = 150;
  out.push(`<text x="10" y="${top + 16}" font-size="14" font-weight="bold">Scaling (log-log, ms): time as one size grows, factor per doubling</text>`);
  series.forEach((s, i) => {
    const left = 20 + (i % 3) * panelWidth + 40;
    const ptop = top + 34 + Math.floor(i / 3) * (panelHeight + 50);
    const w = panelWidth - 60;
    const xs = s.points.map((p) => Math.log2(p.size));
    const ys = s.points.map((p) => Math.log10(median(p.samples.ms)));
    const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
    const [yLo, yHi] = decades(10 ** Math.min(...ys), 10 ** Math.max(...ys));
    const px = (v: number): number => left + ((v - xMin) / (xMax - xMin || 1)) * w;
    const py = (v: number): number => ptop + panelHeight - ((v - yLo) / (yHi - yLo)) * panelHeight;
    out.push(`<rect x="${left}" y="${ptop}" width="${w}" height="${panelHeight}" fill="none" stroke="#999" stroke-width="0.5"/>`);
    out.push(`<text x="${left}" y="${ptop - 4}" font-size="11">${escape(s.parameter)}: ×${s.growth.perDoubling.toFixed(2)} per doubling</text>`);
    for (let d = yLo; d <= yHi; d++) out.push(`<text x="${left - 4}" y="${py(d) + 3}" font-size="9" text-anchor="end">${ms(10 ** d)}</text>`);
    const path = xs.map((xv, j) => `${j === 0 ? 'M' : 'L'}${px(xv).toFixed(1)},${py(ys[j] as number).toFixed(1)}`).join(' ');
    const colour = LINE_COLOURS[i % LINE_COLOURS.length] as string;
    out.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    s.points.forEach((p, j) => {
      out.push(`<circle cx="${px(xs[j] as number).toFixed(1)}" cy="${py(ys[j] as number).toFixed(1)}" r="2.5" fill="${colour}"/>`);
      out.push(`<text x="${px(xs[j] as number).toFixed(1)}" y="${ptop + panelHeight + 12}" font-size="8" text-anchor="middle">${escape(p.label)}</text>`);
    });
  });
  return top + 34 + Math.ceil(series.length / 3) * (panelHeight + 50);
}

/**
 * Renders the run as a standalone SVG document.
 *
 * @example
 * writeFileSync('results/latest.svg', renderChart(results));
 */
export function renderChart(results: BenchResults): string {
  const body: string[] = [];
  let y = barsPanel(results, 0, body);
  y = scalingPanel(results, y, body);
  const e = results.environment;
  body.push(`<text x="10" y="${y + 14}" font-size="10" fill="#555">${escape(`${results.mode} run ${results.startedAt}, ${e.runtime}, ${e.adapter.description || e.adapter.vendor}${e.software ? ' (software GPU)' : ''}`)}</text>`);
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
