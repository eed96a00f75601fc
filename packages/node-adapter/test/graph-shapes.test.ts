// Opening a graph model must not run it: node shapes come from the graph's ops and weight
// shapes. They must equal what running the graph on zeros gives, node for node, on every
// converter graph in the fixtures and on the bundled graph model.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { inferGraphShapes, probeShapes, splitGraphModel } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../src/explain/bundled.js';
import { loadModel } from '../src/index.js';
import { FIXTURES, fixturesPresent } from './fixtures.js';

const present = fixturesPresent('keras');
const names = ['mobilenetv2', 'mobilenetv3small', 'efficientnetb0', 'resnet_small', 'densenet_small', 'xception_small', 'vgg_small', 'tm_nested'];
const paths = [BUNDLED_MODEL.replace('shapes-cnn', 'shapes-cnn-graph'), ...(present ? names.map((n) => join(FIXTURES, 'keras', n, 'graph', 'model.json')) : [])];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('graph node shapes without running the graph', () => {
  it.each(paths)('%s: every node the logits need has the shape a run gives', async (path) => {
    const model = (await loadModel(path)) as tf.GraphModel;
    try {
      const nodes = (model as unknown as { artifacts: { modelTopology: { node: { name: string; op: string }[] } } }).artifacts.modelTopology.node;
      const input = model.inputs[0]!;
      const inputShape = input.shape!.map((d, i) => (d === -1 ? (i === 0 ? 1 : 224) : d));
      const inferred = inferGraphShapes(nodes, model.weights, input.name, inputShape);
      const computed = nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && n.op !== 'NoOp').map((n) => n.name);
      const probed = probeShapes(model, input.name, inputShape, computed);
      const mismatches = computed.filter((n) => JSON.stringify(inferred.get(n)) !== JSON.stringify(probed.get(n)));
      expect(mismatches.slice(0, 5).map((n) => `${n}: ${JSON.stringify(inferred.get(n))} vs ${JSON.stringify(probed.get(n))}`)).toEqual([]);
      // And opening the split from them runs nothing.
      const execute = vi.spyOn(model, 'execute');
      const split = splitGraphModel(model);
      expect(execute).not.toHaveBeenCalled();
      expect(split.classes).toBeGreaterThan(1);
    } finally {
      model.dispose();
    }
  });
});
