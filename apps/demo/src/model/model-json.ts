import { ModelLoadFailure } from './loaded-model.js';

/** The parts of a TF.js model.json the loader looks at. */
export interface ModelJson {
  readonly format?: string;
  readonly modelTopology?: { readonly node?: unknown } & Record<string, unknown>;
  readonly weightsManifest?: readonly { readonly paths: readonly string[] }[];
}

/**
 * Parses model.json text, rejecting what is not a TF.js model with the reason.
 *
 * @example
 * const json = parseModelJson(await file.text(), file.name);
 */
export function parseModelJson(text: string, where: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadFailure(`${where} is not JSON (${(error as Error).message}); give the model.json that tfjs-converter or model.save() wrote`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || !('modelTopology' in json)) {
    throw new ModelLoadFailure(`${where} is JSON but not a TF.js model.json (it has no modelTopology)`);
  }
  return json as ModelJson;
}

/** Whether a model.json describes a GraphModel (converted SavedModel) rather than a LayersModel. */
export function isGraphModel(json: ModelJson): boolean {
  return json.format === 'graph-model' || Array.isArray(json.modelTopology?.node);
}

/**
 * Class names from a labels.json: an array of strings, or an object with a `labels` array.
 *
 * @example
 * parseLabels('["circle","square"]'); // ['circle', 'square']
 */
export function parseLabels(text: string): string[] | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null && 'labels' in json ? (json as { labels: unknown }).labels : undefined;
    return Array.isArray(list) && list.every((l) => typeof l === 'string') ? list : undefined;
  } catch {
    return undefined; // a broken labels file only costs the class names, not the model
  }
}
