/** What `listLayers` says about one layer a user could pick. */
export interface LayerInfo {
  /** The name to pass as `layer`: the Keras layer name, or a path through nested models (`model1/out_relu`). */
  readonly name: string;
  /** Output shape [B, h, w, C] (null for dynamic dimensions). */
  readonly shape: readonly (number | null)[];
  /** Whether this is the layer wgcam picks when none is named. */
  readonly automatic: boolean;
  /** Why the layer cannot be explained, when it cannot. */
  readonly refused?: string;
  /** The graph node that holds the layer's map (GraphModel only). */
  readonly node?: string;
  /** How the map is obtained when the converter rewrote the layer (GraphModel only). */
  readonly note?: string;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The names closest to `wanted` (by edit distance of the whole name or its last path
 * part), at most `limit`, so an error can suggest a few instead of listing thousands.
 *
 * @example
 * closestNames('conv5_block3', ['conv5_block3_out', 'conv4_block6_out', 'avg_pool']); // ['conv5_block3_out', ...]
 */
export function closestNames(wanted: string, names: readonly string[], limit = 10): string[] {
  const lower = wanted.toLowerCase();
  const score = (name: string): number => {
    const n = name.toLowerCase();
    const last = n.split('/').pop() ?? n;
    const contains = n.includes(lower) || lower.includes(last) ? -100 : 0;
    return contains + Math.min(editDistance(lower, n), editDistance(lower, last));
  };
  return [...new Set(names)]
    .map((name) => ({ name, score: score(name) }))
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((x) => x.name);
}

/** "a, b, c" with a count of how many more exist, for error messages. */
export function listSome(names: readonly string[], total: number): string {
  if (names.length === 0) return '(none)';
  return `${names.join(', ')}${total > names.length ? ` (${total - names.length} more: list them with \`wgcam layers\` or listLayers())` : ''}`;
}

/** Pooling layers and ops: the Keras recipe explains the map before them, never a pooled one. */
export const POOLING_LAYER_CLASSES = new Set(['MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'MaxPool2D', 'AvgPool2D']);
export const POOLING_OPS = new Set(['MaxPool', 'AvgPool', 'MaxPoolV2', 'Mean', 'Max']);

/** Whether a [B, h, w, C] shape has more than one position (dynamic sizes count as spatial). */
export function isSpatialShape(shape: readonly (number | null | undefined)[]): boolean {
  if (shape.length !== 4) return false;
  const h = shape[1];
  const w = shape[2];
  return h === null || w === null || h === undefined || w === undefined || h < 0 || w < 0 || h * w > 1;
}
