import { ModelLoadError } from '../errors.js';
import { describe, type JsonObject, type Where } from './json.js';

/**
 * The official way round a layer TF.js cannot run: export a SavedModel and convert it to a
 * graph model, which wgcam also explains (its split runs on graph nodes, not layers).
 * Flags as the tensorflowjs converter documents them.
 */
export const GRAPH_MODEL_ADVICE =
  'export the model as a SavedModel (Keras 3: model.export("saved_model"); tf.keras: tf.saved_model.save(model, "saved_model")) ' +
  'and convert it to a graph model with `tensorflowjs_converter --input_format=tf_saved_model --output_format=tfjs_graph_model ' +
  '--signature_name=serving_default --saved_model_tags=serve saved_model web_model`, then load web_model/model.json';

/**
 * Layer classes that hold Python code or raw TensorFlow ops rather than a config, so no
 * JavaScript can rebuild them; each maps to why.
 */
const UNSUPPORTED_LAYERS: Readonly<Record<string, string>> = {
  TFOpLambda: 'wraps a raw TensorFlow op (Keras 2 records one whenever a tf.* function or a tensor operator such as x + 3 is applied to a Keras tensor, as MobileNetV3 does for hard-swish)',
  SlicingOpLambda: 'wraps a raw TensorFlow slicing op (Keras 2 records one for x[...] on a Keras tensor)',
  Lambda: 'holds Python bytecode',
};

/**
 * Throws a ModelLoadError for a layer that cannot exist in a TF.js LayersModel, saying why
 * and how to convert the model to a graph model instead.
 *
 * @example
 * refuseUnsupportedLayer({ class_name: 'TFOpLambda', config: { name: 'tf.math.multiply' } }, { source: 'model.json' });
 * // throws ModelLoadError: model.json: layer "tf.math.multiply" (TFOpLambda) wraps a raw TensorFlow op ...
 */
export function refuseUnsupportedLayer(entry: JsonObject, where: Where): void {
  const className = String(entry['class_name']);
  const reason = UNSUPPORTED_LAYERS[className];
  // Keras 3 records a keras.ops call on a symbolic tensor as an operation from keras.src.ops.
  const module = typeof entry['module'] === 'string' ? entry['module'] : '';
  const keras3Op = module.startsWith('keras.src.ops') || module.startsWith('keras.ops');
  if (reason === undefined && !keras3Op) return;
  const why = reason ?? `is a Keras 3 operation (${module}.${className}) applied to a symbolic tensor, not a layer`;
  throw new ModelLoadError(
    `${describe({ ...where, className })} ${why}, which a TF.js LayersModel cannot run. ` +
      `Rewrite it with built-in Keras layers, or ${GRAPH_MODEL_ADVICE}.`,
  );
}

/**
 * Repairs a Keras 2 layer config that TF.js's constructors reject or would silently
 * misread (modifies `config` in place; the caller owns a copy):
 * - SeparableConv2D/SeparableConv1D: Keras 2 inherits `kernel_initializer`,
 *   `kernel_regularizer` and `kernel_constraint` from its Conv base class and writes them,
 *   unused; TF.js throws on any of them. They carry no weights, so dropping them is exact.
 * - ReLU with `negative_slope` or `threshold`: TF.js's ReLU ignores both and would compute
 *   a different function, so such a layer is refused instead.
 * - Conv with `groups` > 1: TF.js has no grouped convolution and would fail later with a
 *   weight-shape mismatch; refused here with the reason.
 *
 * @example
 * const config = { name: 'sep', kernel_initializer: { class_name: 'GlorotUniform', config: {} } };
 * fixKeras2LayerConfig('SeparableConv2D', config, { source: 'model.json', layer: 'sep' });
 * // config.kernel_initializer is gone
 */
export function fixKeras2LayerConfig(className: string, config: JsonObject, where: Where): void {
  const at = describe({ ...where, className });
  if (className === 'SeparableConv2D' || className === 'SeparableConv1D') {
    delete config['kernel_initializer'];
    delete config['kernel_regularizer'];
    delete config['kernel_constraint'];
  }
  if (className === 'ReLU') {
    for (const key of ['negative_slope', 'threshold']) {
      const value = config[key];
      if (value !== undefined && value !== null && value !== 0) {
        throw new ModelLoadError(`${at} has ${key}=${String(value)}, which TF.js's ReLU does not implement (it would compute max(x, 0)); use LeakyReLU or ${GRAPH_MODEL_ADVICE}.`);
      }
    }
  }
  if (/^Conv[123]D$/.test(className)) {
    const groups = config['groups'];
    if (typeof groups === 'number' && groups > 1) {
      throw new ModelLoadError(`${at} is a grouped convolution (groups=${groups}), which TF.js's Conv layers do not implement (ConvNeXt uses one per block); ${GRAPH_MODEL_ADVICE}.`);
    }
  }
}
