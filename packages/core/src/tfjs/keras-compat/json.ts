/** A JSON object as model.json holds it: keys are Keras's snake_case names. */
export type JsonObject = { [key: string]: unknown };

/** Whether a JSON value is an object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a problem sits, for error messages: the model file and the layer being translated. */
export interface Where {
  readonly source: string;
  readonly layer?: string;
  readonly className?: string;
}

/** "model.json: layer "conv1" (Conv2D)", the prefix of every translation error. */
export function describe(where: Where): string {
  if (where.layer === undefined) return where.source;
  return `${where.source}: layer "${where.layer}"${where.className === undefined ? '' : ` (${where.className})`}`;
}
