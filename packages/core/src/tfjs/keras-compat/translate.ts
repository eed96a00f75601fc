import type * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '../errors.js';
import { isObject, type JsonObject, type Where } from './json.js';
import { fixKeras2LayerConfig, refuseUnsupportedLayer } from './keras2-fixes.js';
import { nestTensorRefs, translateInboundNode, translateKeras3LayerConfig, withoutKeras3Bookkeeping } from './keras3-topology.js';
import { renameKeras3Weights } from './keras3-weights.js';
import { registerKerasLayers } from './register.js';

/** Classes whose config holds further layers (a model nested in a model). */
const CONTAINERS = new Set(['Functional', 'Model', 'Sequential']);

function translateLayerEntry(entry: unknown, source: string): JsonObject {
  if (!isObject(entry) || typeof entry['class_name'] !== 'string') {
    throw new ModelLoadError(`${source}: a layer entry has no class_name: ${JSON.stringify(entry).slice(0, 200)}`);
  }
  const className = entry['class_name'];
  const config = entry['config'];
  const layer = typeof entry['name'] === 'string' ? entry['name'] : isObject(config) && typeof config['name'] === 'string' ? config['name'] : '?';
  const where: Where = { source, layer, className };
  refuseUnsupportedLayer(entry, where);
  const out = withoutKeras3Bookkeeping(entry);
  out['config'] = CONTAINERS.has(className) ? translateContainerConfig(className, config, where) : translateLeafConfig(className, config, where);
  if (Array.isArray(entry['inbound_nodes'])) {
    out['inbound_nodes'] = entry['inbound_nodes'].map((node) => translateInboundNode(node, where));
  }
  return out;
}

function translateLeafConfig(className: string, config: unknown, where: Where): JsonObject {
  if (!isObject(config)) throw new ModelLoadError(`${where.source}: layer "${where.layer}" (${className}) has no config object`);
  const copy: JsonObject = { ...config };
  translateKeras3LayerConfig(className, copy, where);
  fixKeras2LayerConfig(className, copy, where);
  return copy;
}

function translateContainerConfig(className: string, config: unknown, where: Where): unknown {
  // Old Keras 2 Sequential configs are a bare list of layers.
  if (Array.isArray(config)) return config.map((layer) => translateLayerEntry(layer, where.source));
  if (!isObject(config) || !Array.isArray(config['layers'])) {
    throw new ModelLoadError(`${where.source}: model "${where.layer}" (${className}) has no layers list`);
  }
  const copy: JsonObject = { ...config, layers: config['layers'].map((layer) => translateLayerEntry(layer, where.source)) };
  if ('dtype' in copy) translateKeras3LayerConfig(className, copy, where);
  if ('input_layers' in copy) copy['input_layers'] = nestTensorRefs(copy['input_layers']);
  if ('output_layers' in copy) copy['output_layers'] = nestTensorRefs(copy['output_layers']);
  return copy;
}

/**
 * Whether a model.json topology is a GraphDef (a graph model), which needs no translation.
 *
 * @example
 * isGraphTopology({ node: [], versions: {} }); // true
 */
export function isGraphTopology(topology: unknown): boolean {
  return topology instanceof ArrayBuffer || (isObject(topology) && Array.isArray(topology['node']));
}

/**
 * Translates a Keras LayersModel topology (the `modelTopology` of a model.json, with or
 * without its `model_config` wrapper) into the Keras 2 form TF.js 4.22's deserialiser reads:
 * Keras 3 layer topologies (InputLayer `batch_shape`, dtype-policy objects, module /
 * registered_name / build_config fields, {args, kwargs} inbound nodes with keras_history,
 * flat input/output refs) and Keras 2 configs TF.js rejects (SeparableConv2D's kernel_*
 * fields). Layers that cannot exist in TF.js (TFOpLambda, Lambda, grouped convolutions...)
 * throw a ModelLoadError that says what to do. Pure JSON → JSON: the input is not
 * modified, and translating twice gives the same result as once.
 *
 * @param source names the model in error messages (a path or URL).
 * @example
 * const json = JSON.parse(await readFile('model.json', 'utf8'));
 * json.modelTopology = translateKerasTopology(json.modelTopology, 'model.json');
 */
export function translateKerasTopology(topology: unknown, source = 'model.json'): unknown {
  if (isGraphTopology(topology)) return topology;
  if (!isObject(topology)) throw new ModelLoadError(`${source}: modelTopology is not an object; export the model with tensorflowjs_converter or model.save()`);
  if (isObject(topology['model_config'])) {
    return { ...topology, model_config: translateKerasTopology(topology['model_config'], source) };
  }
  const className = topology['class_name'];
  if (typeof className !== 'string' || !CONTAINERS.has(className)) {
    throw new ModelLoadError(`${source}: the topology is a ${String(className)}, not a Keras Functional or Sequential model`);
  }
  const name = isObject(topology['config']) && typeof topology['config']['name'] === 'string' ? topology['config']['name'] : 'model';
  return { ...withoutKeras3Bookkeeping(topology), config: translateContainerConfig(className, topology['config'], { source, layer: name, className }) };
}

/**
 * Applies {@link translateKerasTopology} to loaded model artifacts and registers the Keras
 * layer classes TF.js lacks (Normalization, CustomScaleLayer), so `tf.loadLayersModel` can
 * build the result; weights Keras 3 names differently (DepthwiseConv2D's `kernel`) are
 * renamed in `weightSpecs` to what TF.js looks for. Graph-model artifacts pass through
 * unchanged.
 *
 * @example
 * const artifacts = translateModelArtifacts(await handler.load(), 'model.json');
 * const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
 */
export function translateModelArtifacts(artifacts: tf.io.ModelArtifacts, source = 'model.json'): tf.io.ModelArtifacts {
  if (artifacts.modelTopology === undefined || isGraphTopology(artifacts.modelTopology)) return artifacts;
  registerKerasLayers();
  const modelTopology = translateKerasTopology(artifacts.modelTopology, source) as object;
  const translated: tf.io.ModelArtifacts = { ...artifacts, modelTopology };
  if (artifacts.weightSpecs !== undefined) translated.weightSpecs = renameKeras3Weights(modelTopology, artifacts.weightSpecs);
  return translated;
}

/**
 * Wraps any TF.js IOHandler (tf.io.http for a URL, tf.io.browserFiles for dropped files, a
 * file-system handler in Node) so that what it loads goes through
 * {@link translateModelArtifacts}: Keras 3 exports and the Keras 2 models TF.js cannot read
 * as they are then load with `tf.loadLayersModel`.
 *
 * @param source names the model in error messages (a path or URL).
 * @example
 * const model = await tf.loadLayersModel(withKerasCompat(tf.io.http(url), { source: url }));
 */
export function withKerasCompat(handler: tf.io.IOHandler, options: { source?: string } = {}): tf.io.IOHandler {
  const load = handler.load;
  if (load === undefined) throw new ModelLoadError(`${options.source ?? 'the model handler'} cannot load models (its IOHandler has no load())`);
  // Methods are bound rather than spread: handlers such as tf.io.http are class instances
  // whose methods live on the prototype and use `this`.
  const wrapped: tf.io.IOHandler = {
    load: async () => translateModelArtifacts(await load.call(handler), options.source),
  };
  if (handler.save !== undefined) wrapped.save = handler.save.bind(handler);
  return wrapped;
}
