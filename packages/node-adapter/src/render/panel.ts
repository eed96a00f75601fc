import sharp, { type OverlayOptions } from 'sharp';
import { encodePng } from '../io/encode.js';
import type { RgbaImage } from '../io/images.js';

/** One tile of a panel: an image and the caption under it. */
export interface PanelTile {
  readonly image: RgbaImage;
  readonly caption: string;
}

const GAP = 12;
const CAPTION_HEIGHT = 28;
const TITLE_HEIGHT = 32;
const FONT = 'DejaVu Sans, Liberation Sans, sans-serif';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The panel without its pictures: white ground, the title and the captions (text only). */
function textLayer(width: number, height: number, title: string, captions: readonly { x: number; text: string }[], tileHeight: number): string {
  const text = (x: number, y: number, size: number, body: string, extra: string): string =>
    `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" fill="#111"${extra}>${escapeXml(body)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    text(GAP, 22, 16, title, ' font-weight="bold"') +
    captions.map((c) => text(c.x, TITLE_HEIGHT + tileHeight + 20, 15, c.text, ' text-anchor="middle"')).join('') +
    '</svg>'
  );
}

async function scaledTile(image: RgbaImage, width: number, height: number): Promise<Buffer> {
  const raw = { width: image.width, height: image.height, channels: 4 as const };
  // Nearest-neighbour scaling keeps model-sized images crisp (pixelated), as before.
  return sharp(image.data, { raw }).resize(width, height, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
}

/**
 * Lays tiles side by side with captions and a title, and returns the PNG bytes. The
 * pictures are scaled and composited by libvips (sharp); only the text goes through SVG,
 * so no image data is embedded in it. Tiles are scaled to a common height of at least
 * 192 px so small model-sized images stay legible.
 *
 * @example
 * const png = await renderPanel([{ image, caption: 'original' }, { image: overlay, caption: 'Grad-CAM' }], 'circle 0.98');
 */
export async function renderPanel(tiles: readonly PanelTile[], title: string): Promise<Uint8Array> {
  const first = tiles[0]?.image;
  if (!first) throw new Error('renderPanel needs at least one tile');
  const tileHeight = Math.max(192, first.height);
  const widths = tiles.map((t) => Math.max(1, Math.round((t.image.width * tileHeight) / t.image.height)));
  const width = widths.reduce((a, w) => a + w + GAP, GAP);
  const height = TITLE_HEIGHT + tileHeight + CAPTION_HEIGHT + GAP;
  const lefts = widths.map((_, i) => widths.slice(0, i).reduce((a, w) => a + w + GAP, GAP));
  const scaled = await Promise.all(tiles.map((t, i) => scaledTile(t.image, widths[i]!, tileHeight)));
  const layers: OverlayOptions[] = scaled.map((input, i) => ({ input, raw: { width: widths[i]!, height: tileHeight, channels: 4 }, left: lefts[i]!, top: TITLE_HEIGHT }));
  const svg = textLayer(width, height, title, tiles.map((t, i) => ({ x: lefts[i]! + widths[i]! / 2, text: t.caption })), tileHeight);
  const { data, info } = await sharp(Buffer.from(svg)).composite(layers).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
  return encodePng({ data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height });
}
