// How long opening a converted graph model for explanation takes (cutting it at its layer,
// which needs every node's shape), against one forward pass, on the wasm backend: shapes
// inferred from the graph (what splitGraphModel does) vs running the graph on zeros (what
// it did before, and still does for ops the inference does not know).
//   npx tsx packages/node-adapter/scripts/graph-open-timing.ts [model.json ...]
import * as tf from '@tensorflow/tfjs';
import { probeShapes, splitGraphModel } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../src/explain/bundled.js';
import { loadModel } from '../src/index.js';
import { useTfjsWasm } from '../src/tfjs-wasm.js';
import { FIXTURES } from '../test/fixtures.js';

await useTfjsWasm();
const paths = process.argv.length > 2 ? process.argv.slice(2) : [BUNDLED_MODEL.replace('shapes-cnn', 'shapes-cnn-graph'), ...['efficientnetb0', 'tm_nested', 'resnet_small'].map((n) => `${FIXTURES}/keras/${n}/graph/model.json`)];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(`backend ${tf.getBackend()}\n| model | open (static shapes) ms | open by running on zeros ms | one forward pass ms |\n|---|---:|---:|---:|\n`);
for (const path of paths) {
  const model = (await loadModel(path)) as tf.GraphModel;
  const input = model.inputs[0]!;
  const shape = input.shape!.map((d, i) => (d === -1 ? (i === 0 ? 1 : 224) : d));
  const nodes = (model as unknown as { artifacts: { modelTopology: { node: { name: string; op: string }[] } } }).artifacts.modelTopology.node;
  const computed = nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.name);
  const x = tf.zeros(shape);
  tf.dispose(model.execute({ [input.name]: x }) as tf.Tensor); // warm-up
  const open: number[] = [];
  const probe: number[] = [];
  const forward: number[] = [];
  for (let round = 0; round < 5; round++) {
    let t = performance.now();
    splitGraphModel(model);
    open.push(performance.now() - t);
    t = performance.now();
    probeShapes(model, input.name, shape, computed);
    probe.push(performance.now() - t);
    t = performance.now();
    const y = model.execute({ [input.name]: x }) as tf.Tensor;
    await y.data();
    y.dispose();
    forward.push(performance.now() - t);
  }
  x.dispose();
  process.stdout.write(`| ${path.replace(`${FIXTURES}/`, '').replace(/.*models\//, 'models/')} | ${median(open).toFixed(1)} | ${median(probe).toFixed(1)} | ${median(forward).toFixed(1)} |\n`);
  model.dispose();
}
