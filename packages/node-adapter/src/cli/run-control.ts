import type { WorkProgress } from '@wgcam/core/tfjs';

/** What `wgcam explain` does on Ctrl-C: stop cleanly the first time, quit the second. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Whether Ctrl-C stopped the run. */
  readonly stopped: () => boolean;
  /** Removes the handler. */
  dispose(): void;
}

/**
 * Installs a SIGINT handler: the first Ctrl-C aborts the returned signal, so the run
 * finishes the file writes it started (each file is written to a temporary name and
 * renamed, so only complete files exist) and reports the rest as not done; a second
 * Ctrl-C exits at once with status 130.
 *
 * @example
 * const interrupt = stopOnCtrlC();
 * try { await session.explainFiles(paths, { signal: interrupt.signal }); } finally { interrupt.dispose(); }
 */
export function stopOnCtrlC(): Interrupt {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      process.stderr.write('\nwgcam: stopped at once; files being written may be missing, none are half-written\n');
      process.exit(130);
    }
    process.stderr.write('\nwgcam: stopping after the step in progress (files being written are finished); Ctrl-C again to quit now\n');
    controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, stopped: () => controller.signal.aborted, dispose: () => process.off('SIGINT', onSigint) };
}

function seconds(ms: number): string {
  return ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** One line about long work: "scorecam: 320/1280 masked inputs, ~45 s left (photo.jpg)". */
export function describeWork(progress: WorkProgress & { readonly files: readonly string[] }): string {
  const files = progress.files.length === 1 ? progress.files[0]! : `${progress.files.length} images`;
  const left = Number.isFinite(progress.remainingMs) ? `~${seconds(progress.remainingMs)} left` : 'starting';
  return `${progress.method}: ${progress.done}/${progress.total} ${progress.unit}, ${left} (${files})`;
}

/**
 * Reports long work as it goes: into the progress bar on a terminal, else as a line on
 * stderr at most every `everyMs` (the first at once), so a job that runs for minutes is
 * never silent and stdout keeps only results.
 *
 * @example
 * const onWork = workReporter((line) => bar?.update({ work: line }), !bar);
 */
export function workReporter(toBar: ((line: string) => void) | null, everyMs = 5000): (progress: WorkProgress & { readonly files: readonly string[] }) => void {
  let last = -Infinity;
  return (progress) => {
    const line = describeWork(progress);
    if (toBar) {
      toBar(line);
      return;
    }
    const now = Date.now();
    if (now - last >= everyMs || progress.done === progress.total) {
      last = now;
      process.stderr.write(`wgcam: ${line}\n`);
    }
  };
}
