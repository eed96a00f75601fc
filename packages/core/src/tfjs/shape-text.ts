/**
 * A tensor shape for messages, with unknown (dynamic) dimensions as `?` — null, undefined,
 * -1 and NaN all mean unknown in TF.js shapes — so `[null, null, null, 3]` reads
 * `[?, ?, ?, 3]`, never `[, , , 3]`.
 *
 * @example
 * shapeText([null, 224, 224, 3]); // '[?, 224, 224, 3]'
 */
export function shapeText(shape: readonly (number | null | undefined)[] | null | undefined): string {
  if (!shape) return '[unknown rank]';
  return `[${shape.map((d) => (typeof d === 'number' && Number.isFinite(d) && d >= 0 ? String(d) : '?')).join(', ')}]`;
}
