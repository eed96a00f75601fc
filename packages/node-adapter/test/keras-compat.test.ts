// Keras models TF.js 4.22 cannot read as they are, loaded through the Keras compatibility
// layer (@wgcam/core/tfjs keras-compat): Keras 2 models with a Normalization layer or
// SeparableConv2D configs, and Keras 3 exports (../shared/fixtures/keras3). Logits and
// Grad-CAM / Grad-CAM++ maps must equal Keras's goldens; TFOpLambda models must be refused
// with a typed error that says how to make a graph model instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { relativeL2 } from '@wgcam/core/reference';
import { CustomScaleLayer, Explainer, KerasNormalization, ModelLoadError, registerKerasLayers, translateKerasTopology } from '@wgcam/core/tfjs';
import { decodeImage, loadModel } from '../src/index.js';
import { useCpuBackendEngine } from './cpu-engine.js';
import { fixtureMeta, fixturesPresent, FIXTURES, goldenArray, minMax } from './fixtures.js';

const keras2Present = fixturesPresent('keras');
const keras3Present = fixturesPresent('keras3');

const gpu = useCpuBackendEngine();

/** The model's pre-softmax logits at the golden (already preprocessed) input, vs Keras's. */
async function logitsError(model: tf.LayersModel, dir: string, layer: string): Promise<number> {
  const explainer = new Explainer(model, { layer });
  const input = goldenArray(dir, 'input');
  const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
  const logits = explainer.split.logits(x);
  const error = relativeL2(await logits.data(), goldenArray(dir, 'logits').data);
  tf.dispose([x, logits]);
  explainer.dispose();
  return error;
}

describe.runIf(keras2Present)('Keras 2 LayersModels TF.js cannot read as they are', () => {
  it.each(['efficientnetb0', 'xception_small'])('%s loads and gives Keras logits', { timeout: 180_000 }, async (name) => {
    const dir = join(FIXTURES, 'keras', name);
    const model = (await loadModel(join(dir, 'layers', 'model.json'))) as tf.LayersModel;
    try {
      const error = await logitsError(model, dir, fixtureMeta(dir).layer);
      console.log(`${name} logits relative L2 ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });

  it('mobilenetv3small (TFOpLambda) is refused with a typed error that gives the converter command', async () => {
    const path = join(FIXTURES, 'keras', 'mobilenetv3small', 'layers', 'model.json');
    const error = await loadModel(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(/TFOpLambda/);
    expect(message).toMatch(/cannot run/);
    expect(message).toContain('tensorflowjs_converter --input_format=tf_saved_model --output_format=tfjs_graph_model');
  });
});

describe.runIf(keras3Present)('Keras 3 exports', () => {
  it.each(['plain_cnn', 'mobilenetv2', 'resnet_small'])('%s loads; logits, Grad-CAM and Grad-CAM++ equal Keras', { timeout: 180_000 }, async (name) => {
    const dir = join(FIXTURES, 'keras3', name);
    const meta = fixtureMeta(dir);
    const model = (await loadModel(join(dir, 'layers', 'model.json'))) as tf.LayersModel;
    const explainer = new Explainer(model, { engine: gpu.engine, layer: meta.layer, preprocess: meta.preprocess });
    try {
      const logits = await logitsError(model, dir, meta.layer);
      expect(logits).toBeLessThan(1e-4);
      // await: decodeImage is becoming asynchronous (a decoder pool); awaiting works either way.
      const image = await decodeImage(readFileSync(join(dir, 'golden', 'image.png')), 'image.png');
      const figures = [`logits ${logits.toExponential(2)}`];
      for (const [method, golden] of [['gradcam', 'gradcam'], ['gradcam++', 'gradcampp']] as const) {
        const result = await explainer.explain(image, { method, size: 'feature', overlay: false });
        expect(result.layer).toBe(meta.layer);
        expect(result.predictions[0]![0]!.classIndex).toBe(meta.top1);
        expect(result.heatmapSize).toEqual({ height: meta.layer_shape[1], width: meta.layer_shape[2] });
        const error = relativeL2(result.items[0]!.heatmap, minMax(goldenArray(dir, golden).data));
        figures.push(`${method} ${error.toExponential(2)}`);
        expect(error, `${method} vs Keras`).toBeLessThan(1e-4);
      }
      console.log(`keras3/${name} relative L2: ${figures.join(', ')}`);
    } finally {
      explainer.dispose();
      model.dispose();
    }
  });
});

// A Keras 3 layer entry as save_keras_model writes it.
const tensorRef = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4, 4, 3], dtype: 'float32', keras_history: [layer, 0, 0] } });
const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
function keras3Topology(extra: object[] = []): object {
  return {
    keras_version: '3.15.1',
    model_config: {
      class_name: 'Functional',
      config: {
        name: 'tiny',
        trainable: true,
        layers: [
          { class_name: 'InputLayer', config: { batch_shape: [null, 4, 4, 3], dtype: 'float32', sparse: false, ragged: false, name: 'in', optional: false }, name: 'in', inbound_nodes: [] },
          { module: 'keras.layers', class_name: 'ReLU', config: { name: 'r', trainable: true, dtype: policy, max_value: null, negative_slope: 0.0, threshold: 0.0 }, registered_name: null, build_config: { input_shape: [null, 4, 4, 3] }, name: 'r', inbound_nodes: [{ args: [tensorRef('in')], kwargs: { mask: null } }] },
          { class_name: 'Add', config: { name: 'sum', trainable: true, dtype: policy }, name: 'sum', inbound_nodes: [{ args: [[tensorRef('in'), tensorRef('r')]], kwargs: {} }] },
          ...extra,
        ],
        input_layers: ['in', 0, 0],
        output_layers: ['sum', 0, 0],
      },
    },
  };
}

describe('Keras topology translation (pure JSON)', () => {
  it('translates Keras 3 fields to the Keras 2 form, without touching its input, idempotently', () => {
    const input = keras3Topology();
    const before = JSON.stringify(input);
    const out = translateKerasTopology(input) as { model_config: { config: { layers: Record<string, unknown>[]; input_layers: unknown; output_layers: unknown } } };
    expect(JSON.stringify(input)).toBe(before);
    const [inputLayer, relu, add] = out.model_config.config.layers;
    expect(inputLayer!['config']).toEqual({ batch_input_shape: [null, 4, 4, 3], dtype: 'float32', sparse: false, ragged: false, name: 'in' });
    expect(relu).not.toHaveProperty('module');
    expect(relu).not.toHaveProperty('build_config');
    expect((relu!['config'] as Record<string, unknown>)['dtype']).toBe('float32');
    expect(relu!['inbound_nodes']).toEqual([[['in', 0, 0, {}]]]);
    expect(add!['inbound_nodes']).toEqual([[['in', 0, 0, {}], ['r', 0, 0, {}]]]);
    expect(out.model_config.config.input_layers).toEqual([['in', 0, 0]]);
    expect(out.model_config.config.output_layers).toEqual([['sum', 0, 0]]);
    expect(translateKerasTopology(out)).toEqual(out);
  });

  it('builds a working model from the translated Keras 3 topology', async () => {
    registerKerasLayers();
    const topology = translateKerasTopology(keras3Topology()) as { model_config: object };
    const model = await tf.models.modelFromJSON({ modelTopology: topology as never });
    const x = tf.tensor4d([-1, 2, -3, 4], [1, 2, 2, 1]).tile([1, 2, 2, 3]);
    const y = model.predict(x) as tf.Tensor;
    const expected = tf.add(x, tf.relu(x));
    expect(relativeL2(await y.data(), await expected.data())).toBe(0);
    tf.dispose([x, y, expected]);
    model.dispose();
  });

  it.each([
    [{ class_name: 'Lambda', config: { name: 'lam', function: ['4wEA...', null, null] }, name: 'lam', inbound_nodes: [[['in', 0, 0, {}]]] }, /Python bytecode/],
    [{ class_name: 'ReLU', config: { name: 'leaky', negative_slope: 0.1 }, name: 'leaky', inbound_nodes: [[['in', 0, 0, {}]]] }, /negative_slope=0.1/],
    [{ class_name: 'Conv2D', config: { name: 'gconv', filters: 3, kernel_size: [3, 3], groups: 3 }, name: 'gconv', inbound_nodes: [[['in', 0, 0, {}]]] }, /grouped convolution/],
    [{ module: 'keras.src.ops.numpy', class_name: 'Add', config: { name: 'op' }, name: 'op', inbound_nodes: [{ args: [tensorRef('in'), 3], kwargs: {} }] }, /Keras 3 operation/],
  ])('refuses what TF.js would misread: %#', (layer, message) => {
    const attempt = () => translateKerasTopology(keras3Topology([layer]), 'm/model.json');
    expect(attempt).toThrow(ModelLoadError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/m\/model\.json: layer/);
  });

  it('drops the kernel_* fields TF.js rejects from Keras 2 SeparableConv2D configs', () => {
    const sep = { class_name: 'SeparableConv2D', config: { name: 'sep', filters: 4, kernel_size: [3, 3], kernel_initializer: { class_name: 'GlorotUniform', config: {} }, kernel_regularizer: null, kernel_constraint: null, depthwise_initializer: { class_name: 'GlorotUniform', config: {} } }, name: 'sep', inbound_nodes: [[['in', 0, 0, {}]]] };
    const out = translateKerasTopology({ class_name: 'Functional', config: { name: 'm', layers: [sep], input_layers: [['in', 0, 0]], output_layers: [['sep', 0, 0]] } }) as { config: { layers: { config: Record<string, unknown> }[] } };
    const config = out.config.layers[0]!.config;
    expect(Object.keys(config).filter((k) => k.startsWith('kernel_'))).toEqual(['kernel_size']);
    expect(config['depthwise_initializer']).toBeDefined();
  });
});

describe('Keras layers TF.js lacks', () => {
  it('Normalization: (x − mean) / max(√variance, 1e-7) per kept axis, and its inverse', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1, 2, 2, 3]);
    const layer = new KerasNormalization({ axis: -1, mean: [1, 2, 3], variance: [4, 0, 0.25] });
    const y = layer.apply(x) as tf.Tensor;
    const values = Array.from(await x.data());
    const expected = values.map((v, i) => (v - [1, 2, 3][i % 3]!) / Math.max(Math.sqrt([4, 0, 0.25][i % 3]!), 1e-7));
    expect(relativeL2(await y.data(), expected)).toBeLessThan(1e-6);
    const inverse = new KerasNormalization({ axis: -1, mean: [1, 2, 3], variance: [4, 1, 0.25], invert: true }).apply(x) as tf.Tensor;
    const expectedInverse = values.map((v, i) => [1, 2, 3][i % 3]! + v * Math.sqrt([4, 1, 0.25][i % 3]!));
    expect(relativeL2(await inverse.data(), expectedInverse)).toBeLessThan(1e-6);
    tf.dispose([x, y, inverse]);
  });

  it('Normalization without fixed statistics carries mean, variance and count weights, as Keras writes them', () => {
    const layer = new KerasNormalization({ axis: [3], name: 'normalization' });
    layer.apply(tf.input({ shape: [5, 5, 3] }));
    // originalName: TF.js uniquifies variable names (mean_1...) when a model with the same layer name was built before.
    expect(layer.weights.map((w) => [w.originalName, w.shape, w.dtype, w.trainable])).toEqual([
      ['normalization/mean', [3], 'float32', false],
      ['normalization/variance', [3], 'float32', false],
      ['normalization/count', [], 'int32', false],
    ]);
  });

  it('CustomScaleLayer (InceptionResNetV2): inputs[0] + inputs[1] · scale', async () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([10, 20]);
    const y = new CustomScaleLayer({ scale: 0.5 }).apply([a, b]) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([6, 12]);
    tf.dispose([a, b, y]);
  });
});
