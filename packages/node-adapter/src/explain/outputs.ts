import { basename, extname, join } from 'node:path';
import type { Explanation, ExplanationItem } from '@wgcam/core/tfjs';
import { METHODS, type MethodName } from '@wgcam/core';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { CodecPool } from '../io/codec-pool.js';
import type { RgbaImage } from '../io/images.js';
import { writeNpy } from '../io/npy.js';
import { grayHeatmap } from '../render/heatmap-gray.js';
import type { PanelTile } from '../render/panel.js';
import { OutputError } from '../errors.js';

/** Which files to write besides the overlay. */
export interface OutputChoices {
  readonly npy: boolean;
  readonly grayPng: boolean;
  readonly panel: boolean;
}

/**
 * Gives each input a unique output stem: its basename without extension, numbered -2, -3,
 * ... on a clash with any stem given before (compared without case, as macOS and Windows
 * file systems do), so `a/x.png b/x.png c/x-2.png` become x, x-2, x-2-2.
 *
 * @example
 * outputStems(['a/x.png', 'b/x.png']); // ['x', 'x-2']
 */
export function outputStems(paths: readonly string[]): string[] {
  const taken = new Set<string>();
  return paths.map((p) => {
    const stem = basename(p, extname(p));
    let candidate = stem;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** Takes `path` for this run; a path the run already wrote is an OutputError, never overwritten. */
function claim(claimed: Set<string>, path: string): string {
  const key = path.toLowerCase();
  if (claimed.has(key)) throw new OutputError(`${path} was already written by this run; rename one of the inputs or labels whose outputs share this name`);
  claimed.add(key);
  return path;
}

function targetSuffix(item: ExplanationItem, several: boolean): string {
  return several ? `.${(item.label ?? String(item.classIndex)).replace(/[^\w-]/g, '_')}` : '';
}

/** Writes one image's outputs for one method; returns the paths written. */
export async function writeMethodOutputs(
  out: string,
  stem: string,
  method: MethodName,
  explanation: Explanation,
  items: readonly ExplanationItem[],
  choices: OutputChoices,
  codecs: CodecPool,
  onEncoded: (ms: number) => void,
  claimed: Set<string> = new Set(),
): Promise<string[]> {
  const png = async (image: RgbaImage): Promise<Uint8Array> => {
    const { value, ms } = await codecs.encodePng(image);
    onEncoded(ms);
    return value;
  };
  const written: string[] = [];
  const several = items.length > 1;
  const { width, height } = explanation.imageSize;
  const heat = explanation.heatmapSize;
  for (const item of items) {
    const base = join(out, `${stem}.${method}${targetSuffix(item, several)}`);
    if (item.overlay) {
      await writeFileAtomic(claim(claimed, `${base}.png`), await png({ data: item.overlay, width, height }));
      written.push(`${base}.png`);
    }
    if (choices.grayPng) {
      await writeFileAtomic(claim(claimed, `${base}.heatmap.png`), await png(grayHeatmap(item.heatmap, heat.width, heat.height)));
      written.push(`${base}.heatmap.png`);
    }
    if (choices.npy) {
      const start = performance.now();
      const npy = writeNpy(item.heatmap, [heat.height, heat.width]);
      onEncoded(performance.now() - start);
      await writeFileAtomic(claim(claimed, `${base}.heatmap.npy`), npy);
      written.push(`${base}.heatmap.npy`);
    }
  }
  return written;
}

/** The side-by-side panel of the original and every method's overlay (first target). */
export async function writePanel(
  out: string,
  stem: string,
  original: RgbaImage,
  overlays: readonly { method: MethodName; item: ExplanationItem }[],
  title: string,
  codecs: CodecPool,
  onEncoded: (ms: number) => void,
  claimed: Set<string> = new Set(),
): Promise<string> {
  const tiles: PanelTile[] = [{ image: original, caption: 'original' }];
  for (const { method, item } of overlays) {
    if (item.overlay) tiles.push({ image: { data: item.overlay, width: original.width, height: original.height }, caption: METHODS[method].title });
  }
  const path = claim(claimed, join(out, `${stem}.panel.png`));
  const { value, ms } = await codecs.renderPanel(tiles, title);
  onEncoded(ms);
  await writeFileAtomic(path, value);
  return path;
}
