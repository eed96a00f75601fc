/**
 * Writes the trained shapes LayersModel as a TF.js graph model (format "graph-model", the
 * files tf.loadGraphModel reads), then loads both and checks that their logits agree on
 * generated images.
 *
 *   npx tsx packages/shapes/scripts/export-graph-model.ts [--from models/shapes-cnn]
 *     [--to models/shapes-cnn-graph] [--check 64]
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateDataset, SHAPES_DATASET_SEEDS } from '../src/index.js';
import { fileSystemLoader, layersToGraphModel, writeModelArtifacts } from '../src/node/index.js';
import { samplesToTensors } from './lib/batches.js';
import { maxLogitDifference } from './lib/compare-models.js';

const { values: args } = parseArgs({
  options: {
    from: { type: 'string', default: 'models/shapes-cnn' },
    to: { type: 'string', default: 'models/shapes-cnn-graph' },
    check: { type: 'string', default: '64' },
  },
});
await tf.setBackend('cpu');

const layersArtifacts = await fileSystemLoader(join(args.from, 'model.json')).load!();
const { artifacts, names } = layersToGraphModel(layersArtifacts);
writeModelArtifacts(args.to, artifacts);
copyFileSync(join(args.from, 'labels.json'), join(args.to, 'labels.json'));
console.log(`wrote ${args.to}: input "${names.input}", output "${names.output}"`);
for (const [layer, node] of Object.entries(names.layerOutputs)) console.log(`  layer ${layer.padEnd(10)} → node ${node}`);

const layersModel = await tf.loadLayersModel(fileSystemLoader(join(args.from, 'model.json')));
const graphModel = await tf.loadGraphModel(fileSystemLoader(join(args.to, 'model.json')));
const size = layersModel.inputs[0]?.shape[1] as number;
const { x, y } = samplesToTensors(tf, generateDataset(SHAPES_DATASET_SEEDS.heldOut, Number(args.check), { size }));
const diff = await maxLogitDifference(tf, layersModel, graphModel, x);
tf.dispose([x, y]);
console.log(`max |logits difference| on ${args.check} held-out images: ${diff.toExponential(2)}`);
if (!(diff < 1e-4)) throw new Error(`graph model disagrees with the layers model (max diff ${diff})`);
