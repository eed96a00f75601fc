import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, mulberry32, SHAPES_DATASET_SEEDS } from '../src/index.js';
import { fileSystemLoader, layersToGraphModel } from '../src/node/index.js';
import { samplesToTensors } from '../scripts/lib/batches.js';
import { buildShapesCnn } from '../scripts/lib/build-shapes-cnn.js';
import { maxLogitDifference } from '../scripts/lib/compare-models.js';

const MODELS = fileURLToPath(new URL('../../../models/', import.meta.url));
const LAYERS_JSON = `${MODELS}shapes-cnn/model.json`;
const GRAPH_JSON = `${MODELS}shapes-cnn-graph/model.json`;

/** Serialises a LayersModel to in-memory artifacts, as model.save would write them. */
async function toArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model.save produced no artifacts');
  return saved;
}

/** A shapes CNN with random weights and non-zero biases (fresh init has zero biases). */
function randomModel(size: number): tf.LayersModel {
  const model = buildShapesCnn(tf, { imageSize: size, numClasses: 5, filters: [4, 6, 8] });
  const rng = mulberry32(1);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng() - 0.45), w.shape)));
  return model;
}

describe('layersToGraphModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives a graph model with the same logits, probabilities and last-conv activations', async () => {
    const layers = randomModel(16);
    const { artifacts, names } = layersToGraphModel(await toArtifacts(layers));
    expect(artifacts.format).toBe('graph-model');
    expect(names).toEqual({
      input: 'input',
      output: 'probs/Softmax',
      layerOutputs: {
        input: 'input',
        conv1: 'conv1/Relu',
        pool1: 'pool1/MaxPool',
        conv2: 'conv2/Relu',
        pool2: 'pool2/MaxPool',
        last_conv: 'last_conv/Relu',
        gap: 'gap/Mean',
        logits: 'logits/BiasAdd',
        probs: 'probs/Softmax',
      },
    });
    const graph = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    const { x } = samplesToTensors(tf, generateDataset(3, 8, { size: 16 }));
    expect(await maxLogitDifference(tf, layers, graph, x)).toBeLessThan(1e-5);

    const probs = graph.execute(x) as tf.Tensor;
    const expectedProbs = layers.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(probs, expectedProbs))).dataSync()[0]).toBeLessThan(1e-6);

    const features = tf.model({ inputs: layers.inputs, outputs: layers.getLayer('last_conv').output as tf.SymbolicTensor });
    const a = graph.execute(x, 'last_conv/Relu') as tf.Tensor;
    expect(a.shape).toEqual([8, 4, 4, 8]);
    expect(tf.max(tf.abs(tf.sub(a, features.predict(x) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-5);

    // The split the engine makes: feed the activation back in and run the rest of the graph.
    const logitsFromA = graph.execute({ 'last_conv/Relu': a }, 'logits/BiasAdd') as tf.Tensor;
    const logitsFromX = graph.execute(x, 'logits/BiasAdd') as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(logitsFromA, logitsFromX))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('rejects layer types it cannot express', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor });
    expect(() => layersToGraphModel(undefined as never)).toThrow();
    await expect(toArtifacts(model).then(layersToGraphModel)).rejects.toThrow(/Flatten/);
  });

  it.skipIf((!existsSync(LAYERS_JSON) || !existsSync(GRAPH_JSON)) && !process.env['CI'])('bundled models: both formats agree (max |Δlogit| < 1e-5)', async () => {
    const layers = await tf.loadLayersModel(fileSystemLoader(LAYERS_JSON));
    const graph = await tf.loadGraphModel(fileSystemLoader(GRAPH_JSON));
    const size = layers.inputs[0]!.shape[1] as number;
    const { x } = samplesToTensors(tf, generateDataset(SHAPES_DATASET_SEEDS.heldOut, 32, { size }));
    expect(await maxLogitDifference(tf, layers, graph, x)).toBeLessThan(1e-5);
    expect(graph.outputNodes).toEqual(['probs/Softmax']);
    expect(graph.inputNodes).toEqual(['input']);
  });
});
