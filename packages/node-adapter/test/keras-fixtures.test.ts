// Real Keras architectures converted by the official converter, in both TF.js formats,
// against Keras's own answers (../shared/fixtures/keras, README there): the automatic
// layer is the recipe's, the logits are Keras's, and Grad-CAM / Grad-CAM++ at feature
// resolution equal the float64 goldens, through the library with the fixture's
// preprocessing preset. Runs on TF.js's cpu backend (wgcam's engine on its own device).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { relativeL2 } from '@wgcam/core/reference';
import { Explainer, ModelLoadError, listLayers, toModelInput, type ExplainableModel } from '@wgcam/core/tfjs';
import { loadModel } from '../src/index.js';
import { decodeImage } from '../src/io/images.js';
import { useCpuBackendEngine } from './cpu-engine.js';
import { fixtureMeta, fixturesPresent, FIXTURES, goldenArray, minMax } from './fixtures.js';

const present = fixturesPresent('keras');
const NAMES = ['mobilenetv2', 'mobilenetv3small', 'efficientnetb0', 'resnet_small', 'densenet_small', 'xception_small', 'vgg_small', 'tm_nested'] as const;
// TF.js cannot run TFOpLambda layers: this LayersModel must be refused with a typed error.
const UNLOADABLE_LAYERS = new Set<string>(['mobilenetv3small']);

const gpu = useCpuBackendEngine();

const cases = NAMES.flatMap((name) => (['layers', 'graph'] as const).map((format) => ({ name, format })));

describe.runIf(present)('Keras fixtures through the library', () => {
  it.each(cases)('$name ($format): automatic layer, logits and heatmaps equal Keras', { timeout: 180_000 }, async ({ name, format }) => {
    const dir = join(FIXTURES, 'keras', name);
    const meta = fixtureMeta(dir);
    const path = join(dir, format, 'model.json');
    if (format === 'layers' && UNLOADABLE_LAYERS.has(name)) {
      await expect(loadModel(path)).rejects.toThrow(ModelLoadError);
      return;
    }
    const model: ExplainableModel = await loadModel(path);
    const explainer = new Explainer(model, { engine: gpu.engine, preprocess: meta.preprocess });
    try {
      const split = explainer.split;
      // The recipe's layer, by its Keras name (a path inside nested models ends with it).
      expect(split.layer === meta.layer || split.layer.endsWith(`/${meta.layer}`)).toBe(true);
      expect(split.automatic).toBe(true);

      const image = await decodeImage(readFileSync(join(dir, "golden", "image.png")), "image.png");
      const input = goldenArray(dir, 'input');
      const ours = toModelInput([image], split.inputShape, meta.preprocess);
      expect(relativeL2(await ours.data(), input.data)).toBeLessThan(1e-6);
      ours.dispose();

      const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
      const logits = split.logits(x);
      expect(relativeL2(await logits.data(), goldenArray(dir, 'logits').data)).toBeLessThan(1e-4);
      tf.dispose([x, logits]);

      for (const [method, golden] of [['gradcam', 'gradcam'], ['gradcam++', 'gradcampp']] as const) {
        const result = await explainer.explain(image, { method, size: 'feature', overlay: false });
        expect(result.predictions[0]![0]!.classIndex).toBe(meta.top1);
        expect(result.heatmapSize).toEqual({ height: meta.layer_shape[1], width: meta.layer_shape[2] });
        const expected = minMax(goldenArray(dir, golden).data);
        expect(relativeL2(result.items[0]!.heatmap, expected), `${method} vs Keras`).toBeLessThan(1e-4);
      }
    } finally {
      explainer.dispose();
      model.dispose();
    }
  });

  it('vgg_small graph: the ReLU moved after MaxPool is applied by wgcam, and the report says so', async () => {
    const model = await loadModel(join(FIXTURES, 'keras', 'vgg_small', 'graph', 'model.json'));
    const explainer = new Explainer(model, { engine: gpu.engine, preprocess: 'caffe' });
    try {
      expect(explainer.split.layer).toBe('block3_conv3');
      expect(explainer.split.note).toMatch(/moved block3_conv3's Relu after the following MaxPool/);
    } finally {
      explainer.dispose();
      model.dispose();
    }
  });

  it.each([
    ['resnet_small', 'conv4_block1_out'],
    ['mobilenetv2', 'block_15_add'],
    ['tm_nested', 'model1/block_16_project_BN'],
    ['xception_small', 'add'],
  ])('%s: %s is explained by its Keras name in both formats, with the same map', async (name, layer) => {
    const maps: Float32Array[] = [];
    for (const format of ['layers', 'graph']) {
      const dir = join(FIXTURES, 'keras', name);
      const meta = fixtureMeta(dir);
      const model = await loadModel(join(dir, format, 'model.json'));
      const explainer = new Explainer(model, { engine: gpu.engine, preprocess: meta.preprocess, layer });
      try {
        const image = await decodeImage(readFileSync(join(dir, "golden", "image.png")), "image.png");
        const result = await explainer.explain(image, { method: 'gradcam', size: 'feature', overlay: false, target: meta.top1 });
        expect(result.layer.endsWith(layer)).toBe(true);
        maps.push(result.items[0]!.heatmap);
      } finally {
        explainer.dispose();
        model.dispose();
      }
    }
    expect(relativeL2(maps[1]!, maps[0]!)).toBeLessThan(1e-4);
  });

  it('unknown names list at most ten close candidates; fused-away layers say where they went', async () => {
    const model = await loadModel(join(FIXTURES, 'keras', 'resnet_small', 'graph', 'model.json'));
    try {
      const unknown = (() => {
        try {
          new Explainer(model, { engine: gpu.engine, layer: 'conv4_block2' }).split;
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      })();
      expect(unknown).toMatch(/no layer or node named 'conv4_block2'/);
      const listed = /closest layers with a 4-D output: (.*?)( \(\d+ more|$)/.exec(unknown)?.[1]?.split(', ') ?? [];
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.length).toBeLessThanOrEqual(10);
      expect(listed[0]).toMatch(/^conv4_block2/);
      expect(() => new Explainer(model, { engine: gpu.engine, layer: 'conv4_block2_1_conv' }).split).toThrow(/fused layer 'conv4_block2_1_conv' into node '.*conv4_block2_1_relu/);
    } finally {
      model.dispose();
    }
  });

  it('listLayers marks the recipe layer in both formats and refuses layers inside residual blocks', async () => {
    for (const format of ['layers', 'graph']) {
      const model = await loadModel(join(FIXTURES, 'keras', 'resnet_small', format, 'model.json'));
      try {
        const layers = listLayers(model);
        expect(layers.filter((l) => l.automatic).map((l) => l.name)).toEqual(['conv4_block2_out']);
        if (format === 'layers') expect(layers.find((l) => l.name === 'conv4_block2_2_conv')?.refused).toMatch(/is not a cut point/);
      } finally {
        model.dispose();
      }
    }
  });
});

describe.runIf(present)('every explainable Keras layer by name in the graph format', () => {
  it.each(['mobilenetv2', 'efficientnetb0', 'resnet_small', 'densenet_small', 'xception_small', 'vgg_small', 'tm_nested'])(
    '%s: each layer the LayersModel can explain gives the same map in the graph, or is refused as not in the graph',
    { timeout: 300_000 },
    async (name) => {
      const dir = join(FIXTURES, 'keras', name);
      const layersModel = await loadModel(join(dir, 'layers', 'model.json'));
      const graphModel = (await loadModel(join(dir, 'graph', 'model.json'))) as tf.GraphModel;
      const golden = goldenArray(dir, 'input');
      const x = tf.tensor4d(golden.data, golden.shape as [number, number, number, number]);
      try {
        const explainable = listLayers(layersModel).filter((l) => !l.refused);
        let resolved = 0;
        let compared = 0;
        const problems: string[] = [];
        for (const [i, layer] of explainable.entries()) {
          let graphSplit;
          try {
            graphSplit = new Explainer(graphModel, { engine: gpu.engine, layer: layer.name }).split;
          } catch (error) {
            // A layer the converter folded away or renamed may be missing; the error must say so, never a wrong map.
            if (!/fused|folded|folds BatchNorm and activation/.test((error as Error).message)) problems.push(`${layer.name}: ${(error as Error).message.slice(0, 160)}`);
            continue;
          }
          resolved++;
          // The map itself, on the fixture's input, for every third layer (every layer would take minutes here).
          if (i % 3 !== 0 && i !== explainable.length - 1) continue;
          const layersSplit = new Explainer(layersModel, { engine: gpu.engine, layer: layer.name }).split;
          const [a, b] = [graphSplit.forward(x), layersSplit.forward(x)];
          const error = relativeL2(await a.activations.data(), await b.activations.data());
          tf.dispose([a.activations, a.logits, b.activations, b.logits]);
          if (!(error < 1e-4)) problems.push(`${layer.name}: the graph's map differs from the LayersModel's by ${error.toExponential(2)}`);
          compared++;
        }
        expect(problems).toEqual([]);
        expect(resolved).toBeGreaterThan(explainable.length / 3);
        expect(compared).toBeGreaterThan(0);
      } finally {
        x.dispose();
        layersModel.dispose();
        graphModel.dispose();
      }
    },
  );
});
