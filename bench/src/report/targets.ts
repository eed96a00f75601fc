// The issue's targets, evaluated from this run's samples. A target whose case was not run
// is reported as not measured (null), never as met.
import { methodRows, scoreCamRow, type MethodRow } from './derive.js';
import type { ModelCaseResult, ScoreCamResult, TargetCheck } from './result-types.js';

const REFERENCE_MODEL = 'resnet50-style';
const REFERENCE_METHOD = 'gradcam';
const SCORECAM_MODELS = ['shapes-cnn', 'mobilenetv2-style', 'resnet50-style'];

function referenceRow(rows: readonly MethodRow[]): MethodRow | undefined {
  return rows.find((r) => r.model === REFERENCE_MODEL && r.batch === 1 && r.method === REFERENCE_METHOD);
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function speedupCheck(name: string, goal: number, row: MethodRow | undefined, rows: readonly MethodRow[], pick: (r: MethodRow) => number, baseline: string): TargetCheck {
  if (!row) return { name, goal: `≥ ${goal}×`, measured: null, met: null, detail: `${REFERENCE_MODEL} B=1 ${REFERENCE_METHOD} was not run` };
  const measured = pick(row);
  const others = rows.filter((r) => r.model === REFERENCE_MODEL && r.batch === 1).map((r) => `${r.method} ${fmt(pick(r))}×`);
  return {
    name,
    goal: `≥ ${goal}×`,
    measured,
    met: measured >= goal,
    detail: `median per-round ratio ${baseline} ÷ wgcam, post-processing + readback, ${row.feature} → ${row.output}; all methods: ${others.join(', ')}`,
  };
}

/** A "share under a limit" target: `share` is a fraction, reported in %; null when its case did not run. */
function shareCheck(name: string, limit: number, share: number | null, detail: string): TargetCheck {
  const goal = `< ${limit * 100}%`;
  if (share === null) return { name, goal, measured: null, met: null, detail };
  return { name, goal, measured: share * 100, met: share < limit, detail: `${detail}; value in %` };
}

/**
 * Evaluates the benchmark targets.
 *
 * @example
 * const targets = evaluateTargets(results.cases, results.scoreCam);
 */
export function evaluateTargets(cases: readonly ModelCaseResult[], scoreCam: readonly ScoreCamResult[]): TargetCheck[] {
  const rows = methodRows(cases);
  const row = referenceRow(rows);
  const checks: TargetCheck[] = [
    speedupCheck('wgcam vs TF.js ops (baseline 1), 7×7×2048 → 224×224', 5, row, rows, (r) => r.speedupVsTfjsOps.median, 'TF.js ops'),
    speedupCheck('wgcam vs CPU loops (baseline 2), 7×7×2048 → 224×224', 20, row, rows, (r) => r.speedupVsCpu.median, 'CPU loops'),
  ];
  checks.push(
    shareCheck(
      'post-processing share of the forward+backward pass, resnet50-style B=1',
      0.05,
      row ? row.postShareOfModel : null,
      row
        ? `wgcam post + readback ${fmt(row.wgcamPost.median + row.wgcamReadback.median)} ms vs forward+backward ${fmt(row.modelPass.median)} ms (Grad-CAM, medians)`
        : 'resnet50-style B=1 was not run',
    ),
  );
  const scoreRows = scoreCam.filter((r) => SCORECAM_MODELS.includes(r.model)).map(scoreCamRow).filter((r) => r !== null);
  const worst = scoreRows.reduce<(typeof scoreRows)[number] | null>((w, r) => (!w || r.overheadShare > w.overheadShare ? r : w), null);
  checks.push(
    shareCheck(
      'Score-CAM masking + weighting share of its masked forward passes',
      0.1,
      worst ? worst.overheadShare : null,
      worst
        ? `worst case ${worst.model} B=${worst.batch}; all: ${scoreRows.map((r) => `${r.model} B=${r.batch} ${fmt(r.overheadShare * 100)}%`).join(', ')}`
        : 'no Score-CAM case was timed',
    ),
  );
  const pools = [...cases.map((c) => ({ name: `${c.model} B=${c.batch}`, pool: c.pool })), ...scoreCam.map((s) => ({ name: `Score-CAM ${s.model} B=${s.batch}`, pool: s.pool }))];
  const grown = pools.filter((p) => !p.pool.flat);
  checks.push({
    name: 'no new GPU buffers after warm-up (engine pool)',
    goal: '0 created',
    measured: grown.reduce((n, p) => n + (p.pool.end.created - p.pool.afterWarmup.created), 0),
    met: pools.length > 0 ? grown.length === 0 : null,
    detail: grown.length === 0 ? `flat in all ${pools.length} cases` : `grew in: ${grown.map((p) => p.name).join(', ')}`,
  });
  return checks;
}
