// The run as markdown: environment, targets, the per-method table, Score-CAM and scaling.
import { methodRows, scoreCamRow } from './derive.js';
import { duration, ms, percent, spread, times } from './format.js';
import type { BenchResults } from './result-types.js';
import { renderE2e } from '../e2e/e2e-report.js';
import { median } from '../stats/summary.js';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function environmentLine(results: BenchResults): string {
  const e = results.environment;
  const adapter = [e.adapter.vendor, e.adapter.architecture, e.adapter.description].filter(Boolean).join(' / ');
  const versions = Object.entries(e.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  if (results.scope === 'e2e-only') return `${e.runtime}, ${adapter}${e.software ? ' (software GPU)' : ''}; TF.js backend ${e.tfBackend}; timing: wall time; ${versions}; ${e.platform}${e.cpus ? `, ${e.cpus} CPUs` : ''}`;
  return `${e.runtime}, ${adapter}${e.software ? ' (software GPU)' : ''}; TF.js backend ${e.tfBackend}; timing: ${e.clock === 'gpu-timestamp' ? 'GPU timestamp queries' : 'wall time around onSubmittedWorkDone'} (readbacks and CPU loops: wall time), an empty timed span takes ${ms(e.emptySpanMs)} ms; ${versions}; ${e.platform}${e.cpus ? `, ${e.cpus} CPUs` : ''}`;
}

function targetLines(results: BenchResults): string[] {
  return [
    '## Targets',
    '',
    ...table(
      ['target', 'goal', 'measured', 'met'],
      results.targets.map((t) => [t.name, t.goal, t.measured === null ? 'not run' : t.goal.includes('%') ? `${t.measured.toPrecision(3)}%` : t.goal.includes('×') ? times(t.measured) : String(t.measured), t.met === null ? '–' : t.met ? 'yes' : '**no**']),
    ),
    '',
    ...results.targets.map((t) => `- ${t.name}: ${t.detail}`),
    '',
  ];
}

/**
 * The environment and the targets table, for the project README.
 *
 * @example
 * const summary = renderSummary(results);
 */
export function renderSummary(results: BenchResults): string {
  const heading = targetLines(results).map((line) => (line.startsWith('## ') ? `#${line}` : line));
  return [`Latest full run (${results.environment.runtime}, ${results.startedAt}): ${environmentLine(results)}`, '', ...heading].join('\n').trim();
}

/**
 * The end-to-end section with its targets and environment, for the READMEs.
 *
 * @example
 * const block = renderE2eSummary(results);
 */
export function renderE2eSummary(results: BenchResults): string {
  const e2eTargets = results.targets.filter((t) => t.name.startsWith('`') || t.name.startsWith('opening'));
  const heading = [`End to end, ${results.mode} run of ${results.startedAt}: ${environmentLine(results)}.${results.environment.software ? ' No GPU on this machine: webgpu runs on SwiftShader (the same CPU cores), and the default backend (auto) there is wasm.' : ''}`, ''];
  const lines = targetLines({ ...results, targets: e2eTargets }).map((line) => (line.startsWith('## ') ? `#${line}` : line));
  const body = renderE2e(results.e2e!).map((line) => (line.startsWith('## ') ? `#${line}` : line));
  return [...heading, ...lines, ...body].join('\n').trim();
}

/**
 * Renders the results as a markdown report.
 *
 * @example
 * writeFileSync('results/latest.md', renderMarkdown(results));
 */
export function renderMarkdown(results: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# wgcam benchmark (${results.mode}, ${results.startedAt})`, '');
  lines.push(environmentLine(results), '');
  lines.push(
    'Times are medians ± median absolute deviation over the timed rounds, in ms, warm-up excluded. ' +
      'Speed-ups are medians of per-round ratios (every way runs in each round, interleaved), ' +
      'baseline ÷ wgcam, post-processing including the readback of its outputs (CPU loops: readback of A and G + the loops).',
    '',
  );
  lines.push(...targetLines(results));

  if (results.cases.length > 0) {
    lines.push('## Post-processing per model, method and batch', '');
    lines.push(
      ...table(
        ['model', 'B', 'method', 'A → output', 'model pass', 'wgcam post', 'readback', 'total', 'post+readback / model', 'TF.js ops', 'CPU loops', 'vs TF.js ops', 'vs CPU'],
        methodRows(results.cases).map((r) => [
          r.model,
          String(r.batch),
          r.method,
          `${r.feature} → ${r.output}`,
          spread(r.modelPass),
          spread(r.wgcamPost),
          spread(r.wgcamReadback),
          ms(r.totalMs),
          percent(r.postShareOfModel),
          spread(r.tfjsOps),
          spread(r.cpu),
          times(r.speedupVsTfjsOps.median),
          times(r.speedupVsCpu.median),
        ]),
      ),
    );
    lines.push('', 'model pass: forward for CAM, forward + backward (gradient of the target score w.r.t. the target layer) for the others. TF.js ops and CPU loops include their readbacks.', '');
  }

  const scoreRows = results.scoreCam.map(scoreCamRow).filter((r) => r !== null);
  if (scoreRows.length > 0) {
    lines.push('## Score-CAM', '');
    lines.push(
      ...table(
        ['model', 'B', 'C', 'pairs timed', 'wgcam masks / chunk', 'masked forward / chunk', 'wgcam weights / chunk', '(masks + weights) / forwards', 'TF.js-ops masking ÷ wgcam', 'whole Score-CAM'],
        scoreRows.map((r) => [r.model, String(r.batch), String(r.channels), r.pairs, ms(r.maskPerChunk), ms(r.forwardPerChunk), ms(r.weightsPerChunk), percent(r.overheadShare), times(r.maskSpeedupVsTfjsOps), `${duration(r.totalMs)}${r.totalMeasured ? '' : ' (scaled up from the timed chunks)'}`]),
      ),
    );
    lines.push('');
  }

  if (results.scaling.length > 0) {
    lines.push('## Scaling (wgcam Grad-CAM post-processing; Score-CAM whole run)', '');
    lines.push(
      ...table(
        ['grows', 'fixed', 'times (median ms)', 'per doubling', 'r²'],
        results.scaling.map((s) => [s.parameter, s.fixed, s.points.map((p) => `${p.label}: ${ms(median(p.samples.ms))}`).join(', '), times(s.growth.perDoubling), s.growth.r2.toFixed(2)]),
      ),
    );
    lines.push('');
  }
  if (results.e2e) lines.push(...renderE2e(results.e2e));
  if (results.skipped.length > 0) lines.push('## Not measured in this run', '', ...results.skipped.map((s) => `- ${s}`), '');
  if (results.failures.length > 0) lines.push('## Failures', '', ...results.failures.map((f) => `- ${f}`), '');
  lines.push(`Run time ${(results.durationS / 60).toFixed(1)} min.`, '');
  return lines.join('\n');
}
