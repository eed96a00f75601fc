import type { FrameReport } from '../pipeline/live-explainer.js';
import type { DemoElements } from './elements.js';

function milliseconds(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : '–';
}

/**
 * Shows a frame's top predictions, marking the class the heatmap explains.
 *
 * @example
 * renderPredictions(ui.predictions, report);
 */
export function renderPredictions(list: HTMLOListElement, report: FrameReport): void {
  list.replaceChildren(
    ...report.predictions.map((p) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = p.label;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.setProperty('--p', p.probability.toFixed(3));
      const value = document.createElement('span');
      value.textContent = `${(100 * p.probability).toFixed(1)}%`;
      item.append(label, bar, value);
      item.classList.toggle('explained', p.classIndex === report.explained.classIndex);
      item.dataset['classIndex'] = String(p.classIndex);
      return item;
    }),
  );
}

/**
 * Shows the frame rate and the time of each stage, saying how they were measured.
 *
 * @example
 * renderTimings(ui, report, loop.fps, loop.frames);
 */
export function renderTimings(ui: DemoElements, report: FrameReport, fps: number, frames: number): void {
  const t = report.timings;
  ui.times.input.textContent = milliseconds(t.input);
  ui.times.model.textContent = milliseconds(t.model);
  ui.times.cam.textContent = milliseconds(t.cam);
  ui.times.draw.textContent = milliseconds(t.draw);
  ui.times.total.textContent = milliseconds(t.total);
  ui.timeSource.textContent =
    t.source === 'gpu'
      ? 'Input, model, CAM and draw: GPU timestamp queries. Frame: CPU wall clock.'
      : 'No GPU timestamp queries in use: CPU wall clock, waiting for the GPU after each stage.';
  renderRate(ui, fps, frames);
}

/** Shows frames per second and the frame count. */
export function renderRate(ui: DemoElements, fps: number, frames: number): void {
  ui.fps.textContent = `${fps.toFixed(1)} fps`;
  ui.frames.textContent = String(frames);
}
