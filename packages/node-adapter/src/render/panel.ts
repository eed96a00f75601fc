import { Resvg } from '@resvg/resvg-js';
import { encodePng, type RgbaImage } from '../io/images.js';

/** One tile of a panel: an image and the caption under it. */
export interface PanelTile {
  readonly image: RgbaImage;
  readonly caption: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Lays tiles side by side with captions (SVG rendered by resvg with the system's fonts)
 * and returns the PNG bytes. Tiles are scaled to a common height of at least 192 px so
 * small model-sized images stay legible.
 *
 * @example
 * const png = renderPanel([{ image, caption: 'original' }, { image: overlay, caption: 'Grad-CAM' }], 'circle 0.98');
 */
export function renderPanel(tiles: readonly PanelTile[], title: string): Uint8Array {
  const first = tiles[0]?.image;
  if (!first) throw new Error('renderPanel needs at least one tile');
  const tileHeight = Math.max(192, first.height);
  const gap = 12;
  const captionHeight = 28;
  const titleHeight = 32;
  const widths = tiles.map((t) => Math.round((t.image.width * tileHeight) / t.image.height));
  const width = widths.reduce((a, w) => a + w + gap, gap);
  const height = titleHeight + tileHeight + captionHeight + gap;
  let x = gap;
  const parts = tiles.map((tile, i) => {
    const w = widths[i]!;
    const href = `data:image/png;base64,${Buffer.from(encodePng(tile.image)).toString('base64')}`;
    const part =
      `<image x="${x}" y="${titleHeight}" width="${w}" height="${tileHeight}" href="${href}" preserveAspectRatio="none" style="image-rendering:pixelated"/>` +
      `<text x="${x + w / 2}" y="${titleHeight + tileHeight + 20}" text-anchor="middle" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="15" fill="#111">${escapeXml(tile.caption)}</text>`;
    x += w + gap;
    return part;
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="${gap}" y="22" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="16" font-weight="bold" fill="#111">${escapeXml(title)}</text>` +
    parts.join('') +
    '</svg>';
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
