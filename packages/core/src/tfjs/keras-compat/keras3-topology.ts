import { ModelLoadError } from '../errors.js';
import { describe, isObject, type JsonObject, type Where } from './json.js';

/**
 * Per-layer keys Keras 3 adds for its own deserialiser (where to import the class from,
 * shapes to rebuild with). TF.js reads none of them; dropping them keeps the translated
 * topology in the Keras 2 shape TF.js was written against.
 */
const KERAS3_BOOKKEEPING_KEYS = ['module', 'registered_name', 'build_config', 'compile_config'] as const;

/** Dtype policies whose variables TF.js holds as float32 anyway (it computes in float32). */
const FLOAT_POLICIES = new Set(['float16', 'bfloat16', 'float64', 'mixed_float16', 'mixed_bfloat16']);

/**
 * Removes Keras 3's bookkeeping keys from a layer entry (a copy is returned).
 *
 * @example
 * withoutKeras3Bookkeeping({ module: 'keras.layers', class_name: 'Dense', config: {}, registered_name: null });
 * // { class_name: 'Dense', config: {} }
 */
export function withoutKeras3Bookkeeping(entry: JsonObject): JsonObject {
  const copy: JsonObject = { ...entry };
  for (const key of KERAS3_BOOKKEEPING_KEYS) delete copy[key];
  return copy;
}

/**
 * The dtype TF.js should use for a Keras dtype: Keras 3 writes a `DTypePolicy` object
 * ({class_name: 'DTypePolicy', config: {name: 'float32'}}) and tf-keras's mixed precision a
 * `Policy` object where TF.js expects a string. Half-precision and mixed policies become
 * float32, the only float dtype TF.js layers compute in (their variables load as float32).
 *
 * @example
 * kerasDtype({ module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_float16' } }); // 'float32'
 * kerasDtype('int32'); // 'int32'
 */
export function kerasDtype(dtype: unknown): unknown {
  const name = isObject(dtype) && isObject(dtype['config']) ? dtype['config']['name'] : dtype;
  return typeof name === 'string' && FLOAT_POLICIES.has(name) ? 'float32' : name;
}

/**
 * Translates the Keras 3 parts of one layer config to what TF.js reads (modifies `config`
 * in place; the caller owns a copy): dtype-policy objects become dtype strings, and
 * InputLayer's `batch_shape` becomes `batch_input_shape`. A Keras 2 config passes unchanged.
 *
 * @example
 * const config = { name: 'input_layer', batch_shape: [null, 64, 64, 3], dtype: 'float32', optional: false };
 * translateKeras3LayerConfig('InputLayer', config);
 * // config: { name: 'input_layer', batch_input_shape: [null, 64, 64, 3], dtype: 'float32' }
 */
export function translateKeras3LayerConfig(className: string, config: JsonObject, where: Where): void {
  if ('dtype' in config) config['dtype'] = kerasDtype(config['dtype']);
  if (className === 'InputLayer') {
    if (config['batch_shape'] !== undefined && config['batch_input_shape'] === undefined) {
      config['batch_input_shape'] = config['batch_shape'];
    }
    delete config['batch_shape'];
    // Keras 3's optional inputs (fed None) have no TF.js counterpart.
    if (config['optional'] === true) throw new ModelLoadError(`${describe({ ...where, className })} is an optional input, which TF.js cannot feed; make it a required input`);
    delete config['optional'];
  }
  const quantization = config['quantization_config'];
  if (quantization !== undefined && quantization !== null) {
    // Keras 3 quantised layers store int8 kernels plus scales, which TF.js's layers cannot hold.
    throw new ModelLoadError(`${describe({ ...where, className })} is quantised by Keras 3 (quantization_config), which TF.js cannot load; save the float model instead`);
  }
  delete config['quantization_config'];
}

function isKerasTensor(value: unknown): value is { config: { keras_history: [string, number, number] } } {
  if (!isObject(value) || value['class_name'] !== '__keras_tensor__' || !isObject(value['config'])) return false;
  const history = value['config']['keras_history'];
  return Array.isArray(history) && history.length === 3 && typeof history[0] === 'string' && Number.isInteger(history[1]) && Number.isInteger(history[2]);
}

function containsKerasTensor(value: unknown): boolean {
  if (isKerasTensor(value)) return true;
  if (Array.isArray(value)) return value.some(containsKerasTensor);
  if (isObject(value)) return Object.values(value).some(containsKerasTensor);
  return false;
}

/** Appends the keras_history of every tensor in a positional argument, flattening lists. */
function collectTensorRefs(arg: unknown, refs: [string, number, number][], where: Where): void {
  if (isKerasTensor(arg)) {
    refs.push([...arg.config.keras_history]);
  } else if (Array.isArray(arg)) {
    for (const item of arg) collectTensorRefs(item, refs, where);
  } else {
    // A constant positional argument (layer(x, 2.0)) has no slot in TF.js's node format.
    throw new ModelLoadError(`${describe(where)} is called with a non-tensor positional argument (${JSON.stringify(arg)}), which a TF.js LayersModel cannot express`);
  }
}

/**
 * Translates one inbound node from Keras 3's call record, {args: [tensors], kwargs: {...}}
 * with each tensor as {class_name: '__keras_tensor__', config: {keras_history: [layer,
 * node, index]}}, to Keras 2's list [[layer, node, index, kwargs], ...] that TF.js reads.
 * A list argument (Add, Concatenate) becomes one entry per tensor. Null keyword arguments
 * (Keras 3 writes mask: null) are dropped; a keyword argument holding a tensor cannot be
 * expressed and is refused. A Keras 2 node (already a list) is returned unchanged.
 *
 * @example
 * translateInboundNode({ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['conv1', 0, 0] } }], kwargs: { mask: null } }, { source: 'model.json' });
 * // [['conv1', 0, 0, {}]]
 */
export function translateInboundNode(node: unknown, where: Where): unknown {
  if (Array.isArray(node)) return node;
  if (!isObject(node) || !Array.isArray(node['args'])) {
    throw new ModelLoadError(`${describe(where)} has an inbound node TF.js cannot read: ${JSON.stringify(node).slice(0, 200)}`);
  }
  const refs: [string, number, number][] = [];
  for (const arg of node['args']) collectTensorRefs(arg, refs, where);
  const kwargs: JsonObject = {};
  for (const [key, value] of Object.entries(isObject(node['kwargs']) ? node['kwargs'] : {})) {
    if (value === null || value === undefined) continue;
    if (containsKerasTensor(value)) {
      throw new ModelLoadError(`${describe(where)} takes a tensor as keyword argument "${key}", which a TF.js LayersModel cannot express`);
    }
    kwargs[key] = value;
  }
  return refs.map((ref) => [...ref, kwargs]);
}

/**
 * Keras 3 writes a model's single input or output as one flat [name, node, index] instead
 * of a list of them; TF.js iterates the outer list, so the flat form is wrapped.
 *
 * @example
 * nestTensorRefs(['input_layer', 0, 0]); // [['input_layer', 0, 0]]
 * nestTensorRefs([['a', 0, 0], ['b', 0, 0]]); // unchanged
 */
export function nestTensorRefs(refs: unknown): unknown {
  return Array.isArray(refs) && typeof refs[0] === 'string' ? [refs] : refs;
}
