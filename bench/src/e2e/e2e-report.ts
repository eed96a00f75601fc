// The end-to-end suite's targets and markdown.
import type { TargetCheck } from '../report/result-types.js';
import { median } from '../stats/summary.js';
import type { E2eCaseResult, E2eResults, E2eWay } from './e2e-types.js';

const PEER = 'pytorch-grad-cam math (PyTorch CPU)';

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

function peerCheck(e2e: E2eResults, c: E2eCaseResult | undefined): TargetCheck {
  const name = '`wgcam explain` resnet50-style 224², Grad-CAM, 1 image (wasm) vs the peer, same threads';
  if (!c || c.wasmOverPeer.length === 0) return { name, goal: '≤ 1.5×', measured: null, met: null, detail: e2e.peer.available ? 'resnet50-style B=1 with the peer was not run' : e2e.peer.note };
  const measured = median(c.wasmOverPeer);
  const wasm = c.ways.find((w) => w.way === 'wgcam wasm')!;
  const peer = c.ways.find((w) => w.way === PEER)!;
  return {
    name,
    goal: '≤ 1.5×',
    measured,
    met: measured <= 1.5,
    detail: `median per-round ratio wgcam (wasm) ÷ peer, file → overlay file: ${fmt(median(wasm.seconds))} s vs ${fmt(median(peer.seconds))} s (medians), ${c.wasmOverPeer.length} interleaved rounds; threads: ${e2e.threads}`,
  };
}

/**
 * The end-to-end targets: wgcam vs the peer, `--method all`, opening a graph model.
 *
 * @example
 * results.targets.push(...e2eTargets(results.e2e));
 */
export function e2eTargets(e2e: E2eResults): TargetCheck[] {
  const checks = [peerCheck(e2e, e2e.cases.find((c) => c.model === 'resnet50-style' && c.batch === 1))];
  const all = e2e.methodAll;
  const allName = '`--method all` vs one gradient method + the score methods\' passes (wasm)';
  checks.push(
    all && all.ratios.length > 0
      ? {
          name: allName,
          goal: '≤ 1.5×',
          measured: median(all.ratios),
          met: median(all.ratios) <= 1.5,
          detail: `${all.model}, 1 image; per round all ÷ (gradcam + Σ (m − cam)) over the methods of \`all\` with extra passes (m − cam: that method's masked or ablated passes); medians: ${Object.entries(all.seconds).map(([m, s]) => `${m} ${fmt(median(s))} s`).join(', ')}`,
        }
      : { name: allName, goal: '≤ 1.5×', measured: null, met: null, detail: 'not run' },
  );
  const rows = e2e.graphOpen.map((r) => ({ model: r.model, ratio: median(r.openMs) / median(r.forwardMs), open: median(r.openMs), forward: median(r.forwardMs) }));
  const worst = rows.reduce<(typeof rows)[number] | null>((w, r) => (!w || r.ratio > w.ratio ? r : w), null);
  checks.push({
    name: 'opening a graph model (splitGraphModel) vs one forward pass (wasm)',
    goal: '< 1×',
    measured: worst ? worst.ratio : null,
    met: worst ? worst.ratio < 1 : null,
    detail: worst ? `worst ${worst.model}; all: ${rows.map((r) => `${r.model} ${fmt(r.open)} / ${fmt(r.forward)} ms`).join(', ')}` : 'no graph model was found',
  });
  return checks;
}

function share(way: E2eWay, pick: (w: E2eWay) => readonly number[]): string {
  const total = median(way.seconds);
  return total > 0 ? `${Math.round((median(pick(way)) / total) * 100)}%` : '–';
}

/**
 * The end-to-end section of the report.
 *
 * @example
 * lines.push(...renderE2e(results.e2e));
 */
export function renderE2e(e2e: E2eResults): string[] {
  const lines = ['## End to end: image file → overlay file', ''];
  lines.push(
    'Seconds per explanation through `ExplainSession.explainFiles` (the code path of `wgcam explain`: decode, model pass, wgcam kernels, readback, PNG encode and write), Grad-CAM of the top-1 class, per model, TF.js backend and batch; medians over interleaved rounds (every way once per round, rotating order), after one untimed warm-up per way. ' +
      `Shares: model = preprocessing + forward + backward; CAM = wgcam's kernels + readback (the peer: numpy + OpenCV); I/O = the rest (decode, encode, write). Threads: ${e2e.threads}.`,
    '',
    `Peer: ${e2e.peer.available ? `${PEER} — the same maths as pytorch-grad-cam's GradCAM + show_cam_on_image written out (pytorch-grad-cam itself is not installable here), torchvision networks with random weights, forward/backward hooks, top-1 read back to numpy, numpy weights and map, OpenCV resize / colormap / PNG; bench/peer/gradcam_peer.py. ${e2e.peer.note}` : e2e.peer.note}`,
    '',
  );
  lines.push('| model | B | way | s per explanation | rounds | model | CAM | I/O | ÷ peer |', '|---|---|---|---|---|---|---|---|---|');
  for (const c of e2e.cases) {
    const peer = c.ways.find((w) => w.way === PEER);
    for (const w of c.ways) {
      const perImage = median(w.seconds) / c.batch;
      const vs = peer && w !== peer ? (w.way === 'wgcam wasm' && c.wasmOverPeer.length > 0 ? `${fmt(median(c.wasmOverPeer))}× (per round)` : `${fmt(median(w.seconds) / median(peer.seconds))}×`) : '';
      lines.push(`| ${c.model} ${c.size}² | ${c.batch} | ${w.way}${w.note ? ` (${w.note})` : ''} | ${fmt(perImage)} | ${w.seconds.length} | ${share(w, (x) => x.model)} | ${share(w, (x) => x.cam)} | ${share(w, (x) => x.io)} | ${vs} |`);
    }
  }
  lines.push('');
  if (e2e.methodAll) {
    const all = e2e.methodAll;
    lines.push(`\`--method all\` on ${all.model} (wasm, 1 image), seconds per call: ${Object.entries(all.seconds).map(([m, s]) => `${m} ${fmt(median(s))}`).join(', ')}; all ÷ (gradcam + the score methods' passes) = ${fmt(median(all.ratios))}×.`, '');
  }
  if (e2e.graphOpen.length > 0) {
    lines.push('Opening a graph model for explanation (splitGraphModel: node shapes, the cut) vs one forward pass, wasm, interleaved rounds, ms:', '');
    lines.push('| graph model | open | one forward pass | open ÷ forward |', '|---|---|---|---|');
    for (const r of e2e.graphOpen) lines.push(`| ${r.model} | ${fmt(median(r.openMs))} | ${fmt(median(r.forwardMs))} | ${fmt(median(r.openMs) / median(r.forwardMs))}× |`);
    lines.push('');
  }
  return lines;
}
