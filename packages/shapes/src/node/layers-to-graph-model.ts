import type { io } from '@tensorflow/tfjs';
import { concatWeightData } from './fs-io-handler.js';
import { constNode, FLOAT, intListAttr, stringAttr, tensorShape, type GraphNode } from './graph-def.js';

/** A layer of a Keras-style model topology (the part of it this exporter reads). */
interface LayerJson {
  class_name: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes?: unknown[];
}

/** What {@link layersToGraphModel} produces besides the artifacts: the names to split at. */
export interface GraphModelNodeNames {
  /** The Placeholder fed with the image batch. */
  input: string;
  /** Output node of each layer, by layer name (e.g. last_conv → "last_conv/Relu"). */
  layerOutputs: Record<string, string>;
  /** The graph's final output node. */
  output: string;
}

const SUPPORTED = 'InputLayer, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Dense, Activation, ReLU, Softmax, Dropout';

function pair(value: unknown, what: string): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number')) {
    throw new Error(`layersToGraphModel: ${what} must be a number pair, got ${JSON.stringify(value)}`);
  }
  return [v[0] as number, v[1] as number];
}

function paddingName(value: unknown, layer: string): string {
  if (value !== 'same' && value !== 'valid') throw new Error(`layersToGraphModel: ${layer} has padding ${String(value)}`);
  return value.toUpperCase();
}

/** The layers of a Sequential model, or of a functional Model whose layers form a chain. */
function linearLayers(topology: unknown): LayerJson[] {
  const t = topology as { class_name?: string; config?: { layers?: LayerJson[] } | LayerJson[]; model_config?: unknown };
  // Layers models saved with training config nest the topology under model_config.
  if (t.model_config != null) return linearLayers(t.model_config);
  const layers = Array.isArray(t.config) ? t.config : t.config?.layers;
  if (!Array.isArray(layers)) throw new Error('layersToGraphModel: modelTopology has no layer list');
  if (t.class_name === 'Model' || t.class_name === 'Functional') {
    layers.forEach((layer, i) => {
      const inbound = JSON.stringify(layer.inbound_nodes ?? []);
      const previous = layers[i - 1];
      const expected = previous === undefined ? '[]' : JSON.stringify([[[previous.config.name, 0, 0, {}]]]);
      if (inbound !== expected) throw new Error(`layersToGraphModel: layer ${layer.config.name} is not a plain chain link`);
    });
  } else if (t.class_name !== 'Sequential') {
    throw new Error(`layersToGraphModel: unsupported model class ${String(t.class_name)}`);
  }
  return layers;
}

/** Slices of the source weight buffer, by weight name. */
function indexWeights(artifacts: io.ModelArtifacts): Map<string, { spec: io.WeightsManifestEntry; bytes: Uint8Array }> {
  const data = new Uint8Array(concatWeightData(artifacts.weightData ?? new ArrayBuffer(0)));
  const out = new Map<string, { spec: io.WeightsManifestEntry; bytes: Uint8Array }>();
  let offset = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    if (spec.quantization != null) throw new Error(`layersToGraphModel: weight ${spec.name} is quantized`);
    if (spec.dtype !== 'float32') throw new Error(`layersToGraphModel: weight ${spec.name} has dtype ${spec.dtype}`);
    const length = spec.shape.reduce((a, b) => a * b, 1) * 4;
    out.set(spec.name, { spec, bytes: data.subarray(offset, offset + length) });
    offset += length;
  }
  if (offset !== data.byteLength) throw new Error(`layersToGraphModel: weight specs cover ${offset} of ${data.byteLength} bytes`);
  return out;
}

/**
 * Rewrites a TF.js LayersModel (as artifacts: topology JSON, weight specs, weight data)
 * into an equivalent TF.js graph model: a GraphDef with one plain op per step
 * (Conv2D → BiasAdd → Relu, MaxPool, Mean for global average pooling, MatMul → BiasAdd,
 * Softmax), named `<layer>/<Op>` so a model can be split at any layer's output, e.g.
 * `last_conv/Relu`. Ops are deliberately not fused (the TF converter would emit
 * `_FusedConv2D`, which hides the post-ReLU activation). Weights become Const nodes named
 * `<layer>/kernel` and `<layer>/bias`. Only float32, unquantized chains of the layer types
 * in SUPPORTED are accepted; anything else throws.
 *
 * @example
 * const layers = await fileSystemLoader('models/shapes-cnn/model.json').load!();
 * const { artifacts, names } = layersToGraphModel(layers);
 * writeModelArtifacts('models/shapes-cnn-graph', artifacts);
 * console.log(names.layerOutputs.last_conv); // "last_conv/Relu"
 */
export function layersToGraphModel(source: io.ModelArtifacts): { artifacts: io.ModelArtifacts; names: GraphModelNodeNames } {
  const layers = linearLayers(source.modelTopology);
  const weights = indexWeights(source);
  const nodes: GraphNode[] = [];
  const specs: io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  const layerOutputs: Record<string, string> = {};

  const takeWeight = (layer: string, kind: 'kernel' | 'bias'): string => {
    const name = `${layer}/${kind}`;
    const found = weights.get(name);
    if (found === undefined) throw new Error(`layersToGraphModel: missing weight ${name}`);
    nodes.push(constNode(name, 'DT_FLOAT', found.spec.shape));
    specs.push({ name, shape: found.spec.shape, dtype: 'float32' });
    chunks.push(found.bytes);
    return name;
  };
  const addInt32Const = (name: string, values: readonly number[]): string => {
    nodes.push(constNode(name, 'DT_INT32', [values.length]));
    specs.push({ name, shape: [values.length], dtype: 'int32' });
    chunks.push(new Uint8Array(Int32Array.from(values).buffer));
    return name;
  };
  const activation = (layer: string, kind: unknown, x: string): string => {
    if (kind === undefined || kind === null || kind === 'linear') return x;
    if (kind === 'relu') {
      nodes.push({ name: `${layer}/Relu`, op: 'Relu', input: [x], attr: { T: FLOAT } });
      return `${layer}/Relu`;
    }
    if (kind === 'softmax') {
      nodes.push({ name: `${layer}/Softmax`, op: 'Softmax', input: [x], attr: { T: FLOAT } });
      return `${layer}/Softmax`;
    }
    throw new Error(`layersToGraphModel: layer ${layer} has unsupported activation ${String(kind)}`);
  };

  /** The layer's bias (unless use_bias is false) and activation after node `y`; returns the last node. */
  const biasAndActivation = (layer: string, config: Record<string, unknown>, y: string): string => {
    let out = y;
    if (config['use_bias'] !== false) {
      const bias = takeWeight(layer, 'bias');
      nodes.push({ name: `${layer}/BiasAdd`, op: 'BiasAdd', input: [out, bias], attr: { T: FLOAT, data_format: stringAttr('NHWC') } });
      out = `${layer}/BiasAdd`;
    }
    return activation(layer, config['activation'], out);
  };

  let current: string | undefined;
  let inputName: string | undefined;
  /** Rank of `current`, to resolve layer axes such as Softmax's (TF.js stores 1 for "last" on rank-2 input). */
  let rank = 0;
  const addInput = (name: string, batchInputShape: unknown): void => {
    if (!Array.isArray(batchInputShape)) throw new Error(`layersToGraphModel: ${name} has no batch_input_shape`);
    const shape = batchInputShape.map((d) => (typeof d === 'number' ? d : -1));
    nodes.push({ name, op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: tensorShape(shape) } } });
    inputName = name;
    current = name;
    rank = shape.length;
  };

  for (const layer of layers) {
    const c = layer.config;
    const name = c.name;
    if (layer.class_name === 'InputLayer') {
      addInput(name, c['batch_input_shape']);
      layerOutputs[name] = name;
      continue;
    }
    // Sequential models carry the input shape on their first layer instead of an InputLayer.
    if (current === undefined) addInput('input', c['batch_input_shape']);
    const x = current as string;
    if (c['data_format'] !== undefined && c['data_format'] !== 'channels_last') {
      throw new Error(`layersToGraphModel: layer ${name} is not channels_last`);
    }
    switch (layer.class_name) {
      case 'Conv2D': {
        const [sh, sw] = pair(c['strides'], `${name}.strides`);
        const [dh, dw] = pair(c['dilation_rate'] ?? 1, `${name}.dilation_rate`);
        const kernel = takeWeight(name, 'kernel');
        nodes.push({
          name: `${name}/Conv2D`,
          op: 'Conv2D',
          input: [x, kernel],
          attr: {
            T: FLOAT,
            strides: intListAttr([1, sh, sw, 1]),
            dilations: intListAttr([1, dh, dw, 1]),
            padding: stringAttr(paddingName(c['padding'], name)),
            data_format: stringAttr('NHWC'),
            use_cudnn_on_gpu: { b: true },
          },
        });
        current = biasAndActivation(name, c, `${name}/Conv2D`);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const op = layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AvgPool';
        const [kh, kw] = pair(c['pool_size'], `${name}.pool_size`);
        const [sh, sw] = pair(c['strides'] ?? c['pool_size'], `${name}.strides`);
        nodes.push({
          name: `${name}/${op}`,
          op,
          input: [x],
          attr: {
            T: FLOAT,
            ksize: intListAttr([1, kh, kw, 1]),
            strides: intListAttr([1, sh, sw, 1]),
            padding: stringAttr(paddingName(c['padding'], name)),
            data_format: stringAttr('NHWC'),
          },
        });
        current = `${name}/${op}`;
        break;
      }
      case 'GlobalAveragePooling2D': {
        if (c['keepdims'] === true) throw new Error(`layersToGraphModel: ${name} uses keepdims`);
        const axes = addInt32Const(`${name}/reduction_indices`, [1, 2]);
        nodes.push({
          name: `${name}/Mean`,
          op: 'Mean',
          input: [x, axes],
          attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } },
        });
        current = `${name}/Mean`;
        rank -= 2;
        break;
      }
      case 'Dense': {
        if (rank !== 2) throw new Error(`layersToGraphModel: Dense layer ${name} on rank-${rank} input`);
        const kernel = takeWeight(name, 'kernel');
        nodes.push({
          name: `${name}/MatMul`,
          op: 'MatMul',
          input: [x, kernel],
          attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } },
        });
        current = biasAndActivation(name, c, `${name}/MatMul`);
        break;
      }
      case 'Activation':
        current = activation(name, c['activation'], x);
        break;
      case 'ReLU':
        if (c['max_value'] != null || (c['negative_slope'] ?? 0) !== 0 || (c['threshold'] ?? 0) !== 0) {
          throw new Error(`layersToGraphModel: ${name} is not a plain ReLU`);
        }
        current = activation(name, 'relu', x);
        break;
      case 'Softmax':
        // Softmax only normalises the last axis.
        if (c['axis'] !== undefined && c['axis'] !== -1 && c['axis'] !== rank - 1) {
          throw new Error(`layersToGraphModel: ${name} has axis ${String(c['axis'])} on rank-${rank} input`);
        }
        current = activation(name, 'softmax', x);
        break;
      case 'Dropout':
        // Inference is the identity; the layer leaves no node.
        break;
      default:
        throw new Error(`layersToGraphModel: layer ${name} has unsupported class ${layer.class_name} (supported: ${SUPPORTED})`);
    }
    layerOutputs[name] = current as string;
  }
  if (inputName === undefined || current === undefined) throw new Error('layersToGraphModel: empty model');

  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    weightData.set(c, offset);
    offset += c.byteLength;
  }
  return {
    artifacts: {
      modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
      format: 'graph-model',
      generatedBy: 'TensorFlow.js LayersModel (@wgcam/shapes layersToGraphModel)',
      convertedBy: '@wgcam/shapes layersToGraphModel',
      weightSpecs: specs,
      weightData: weightData.buffer,
    },
    names: { input: inputName, layerOutputs, output: current },
  };
}
