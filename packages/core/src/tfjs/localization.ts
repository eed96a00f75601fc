import type { MethodName } from '../methods.js';
import { energyInside, pointingGameHit } from '../metrics.js';
import type { Explainer } from './explainer.js';
import type { RgbaPixels } from './images.js';

/** An image with the ground-truth mask of each object in it (masks at the image's size). */
export interface LabelledImage {
  readonly image: RgbaPixels;
  readonly objects: readonly { readonly label: number; readonly mask: ArrayLike<number> }[];
}

/** Localisation quality of one method over a set of objects. */
export interface LocalizationScore {
  readonly method: MethodName;
  /** Objects explained (one explanation per object, targeting its true class). */
  readonly objects: number;
  /** Share of objects whose heatmap maximum lies inside the object's mask. */
  readonly pointingGame: number;
  /** Mean share of heatmap mass inside the object's mask. */
  readonly energyPointingGame: number;
}

/**
 * Pointing game and energy-based pointing game per method: each object is explained for
 * its true class and its heatmap compared with its mask. Images go through in batches.
 *
 * @example
 * const scores = await evaluateLocalization(explainer, heldOut, ['gradcam', 'gradcam++']);
 */
export async function evaluateLocalization(
  explainer: Explainer,
  images: readonly LabelledImage[],
  methods: readonly MethodName[],
  batchSize = 16,
): Promise<LocalizationScore[]> {
  const jobs = images.flatMap((image) => image.objects.map((object) => ({ image: image.image, object })));
  const scores: LocalizationScore[] = [];
  for (const method of methods) {
    let hits = 0;
    let energy = 0;
    for (let start = 0; start < jobs.length; start += batchSize) {
      const batch = jobs.slice(start, start + batchSize);
      const result = await explainer.explain(
        batch.map((j) => j.image),
        { method, target: batch.map((j) => j.object.label), overlay: false },
      );
      result.items.forEach((item, i) => {
        const mask = batch[i]!.object.mask;
        hits += pointingGameHit(item.heatmap, mask);
        energy += energyInside(item.heatmap, mask);
      });
    }
    scores.push({ method, objects: jobs.length, pointingGame: hits / jobs.length, energyPointingGame: energy / jobs.length });
  }
  return scores;
}

/** The scores as a markdown table. */
export function localizationTable(scores: readonly LocalizationScore[], titles: Readonly<Record<MethodName, { title: string }>>): string {
  const rows = scores.map((s) => `| ${titles[s.method].title} | ${s.pointingGame.toFixed(3)} | ${s.energyPointingGame.toFixed(3)} | ${s.objects} |`);
  return ['| method | pointing game | energy pointing game | objects |', '| --- | ---: | ---: | ---: |', ...rows].join('\n');
}
