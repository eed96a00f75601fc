import { COLORMAP_NAMES, METHODS, methodsInAll, type ColormapName, type MethodName } from '@wgcam/core';
import { INPUT_RANGES, type ExplainSettings, type InputRange } from '../pipeline/settings.js';
import type { DemoElements } from './elements.js';

/** One option of a select. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/**
 * Replaces a select's options, keeping `selected` chosen when it is among them.
 *
 * @example
 * fillSelect(ui.colormap, COLORMAP_NAMES.map((c) => ({ value: c, label: c })), 'jet');
 */
export function fillSelect(select: HTMLSelectElement, choices: readonly Choice[], selected: string): void {
  select.replaceChildren(
    ...choices.map(({ value, label }) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      return option;
    }),
  );
  select.value = choices.some((c) => c.value === selected) ? selected : (choices[0]?.value ?? '');
}

/** Fills the controls that do not depend on the model: methods, colormaps, input ranges. */
export function fillStaticControls(ui: DemoElements, settings: ExplainSettings): void {
  // Every method `all` means: SS-CAM and IS-CAM (numSamples·C masked passes) are too slow per frame.
  fillSelect(ui.method, methodsInAll().map((m) => ({ value: m, label: `${METHODS[m].title} (${METHODS[m].paper})` })), settings.method);
  fillSelect(ui.colormap, COLORMAP_NAMES.map((c) => ({ value: c, label: c })), settings.colormap);
  fillSelect(ui.inputRange, (Object.keys(INPUT_RANGES) as InputRange[]).map((r) => ({ value: r, label: INPUT_RANGES[r].title })), settings.inputRange);
  ui.alpha.value = String(settings.alpha);
  ui.alphaValue.value = settings.alpha.toFixed(2);
}

/** Fills the target and layer choices of a model. */
export function fillModelControls(ui: DemoElements, labels: readonly string[] | undefined, classes: number, layers: readonly string[], layer: string, settings: ExplainSettings): void {
  const targets: Choice[] = [{ value: 'top1', label: 'Top-1 prediction' }];
  for (let k = 0; k < classes; k++) targets.push({ value: String(k), label: labels?.[k] ?? `class ${k}` });
  fillSelect(ui.target, targets, String(settings.target));
  const layerChoices: Choice[] = [{ value: '', label: `automatic (${layer})` }, ...layers.map((l) => ({ value: l, label: l }))];
  fillSelect(ui.layer, layerChoices, settings.layer ?? '');
}

/**
 * The settings the controls show now.
 *
 * @example
 * const settings = readSettings(ui); // { method: 'gradcam++', target: 'top1', ... }
 */
export function readSettings(ui: DemoElements): ExplainSettings {
  const target = ui.target.value === 'top1' || ui.target.value === '' ? 'top1' : Number(ui.target.value);
  return {
    method: ui.method.value as MethodName,
    target,
    colormap: ui.colormap.value as ColormapName,
    alpha: Number(ui.alpha.value),
    layer: ui.layer.value === '' ? null : ui.layer.value,
    inputRange: ui.inputRange.value as InputRange,
  };
}
