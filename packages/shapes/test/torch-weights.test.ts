import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsShapesCnn } from '../scripts/lib/js-cnn/network.js';
import { encodeSamples } from '../scripts/lib/stream-shards.js';
import { deployedFromTorch, oihwToHwio, type TorchWeightsFile } from '../scripts/lib/torch-weights.js';
import { toLayersModel } from '../scripts/lib/validation.js';

// The optional torch engine (train.ts --engine torch) trains in PyTorch and hands its
// weights to TypeScript, which reorders them (conv OIHW → HWIO, dense [K, C] → [C, K]) and
// folds BN into the convolutions. Here PyTorch's own eval-mode forward of a random network
// with random BN statistics must give the logits of the converted TF.js LayersModel and of
// the plain-TypeScript network. Needs python3 with torch and numpy; without them the
// PyTorch comparison is skipped with a printed note (only this optional engine needs Python;
// the layout conversion itself is checked without it).

const SCRIPT_DIR = fileURLToPath(new URL('../scripts/torch/', import.meta.url));
const SIZE = 16;
const FILTERS = [4, 6, 8] as const;
const BATCH = 3;

/** Random network (BN statistics, γ, β non-trivial), a batch of inputs and torch's logits, written by Python. */
const PYTHON = `
import json, sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from train_shapes import ShapesCnn, export
torch.manual_seed(5)
net = ShapesCnn([${FILTERS.join(',')}], 5)
with torch.no_grad():
    for bn in (net.bn1, net.bn2, net.bn3):
        bn.weight.uniform_(0.5, 1.5); bn.bias.uniform_(-0.3, 0.3)
        bn.running_mean.uniform_(-0.5, 0.5); bn.running_var.uniform_(0.2, 2.0)
    net.logits.bias.uniform_(-0.2, 0.2)
net.eval()
x = torch.rand(${BATCH}, ${SIZE}, ${SIZE}, 3)
logits = net(x.permute(0, 3, 1, 2))
export(net, sys.argv[2] + "/weights.json", [${FILTERS.join(',')}])
json.dump({"input": x.flatten().tolist(), "logits": logits.detach().flatten().tolist()}, open(sys.argv[2] + "/io.json", "w"))
`;

const hasTorch = spawnSync('python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.log('torch-weights.test: python3 with torch and numpy not found; the PyTorch comparison of the optional torch engine is skipped');

describe('torch engine weight conversion', () => {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'wgcam-torch-weights-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reorders an OIHW kernel to HWIO', () => {
    // o=2, i=3, kh=1, kw=2: value = 1000·o + 100·i + 10·y + x, so every entry says where it came from.
    const oihw = Float32Array.from({ length: 12 }, (_, n) => {
      const [o, i, x] = [Math.floor(n / 6), Math.floor(n / 2) % 3, n % 2];
      return 1000 * o + 100 * i + x;
    });
    const hwio = oihwToHwio(oihw, 2, 3, 1, 2);
    for (let x = 0; x < 2; x++) for (let i = 0; i < 3; i++) for (let o = 0; o < 2; o++) expect(hwio[(x * 3 + i) * 2 + o]).toBe(1000 * o + 100 * i + x);
  });

  it.runIf(hasTorch)('hands samples to Python as written: NHWC inputs read as NCHW, labels as ½/½ targets for two objects', () => {
    const samples = [
      { input: Float32Array.from({ length: 2 * 2 * 3 }, (_, n) => n + 0.5), labels: [3] },
      { input: Float32Array.from({ length: 2 * 2 * 3 }, (_, n) => -n), labels: [1, 4] },
    ];
    writeFileSync(join(dir, 'samples.bin'), encodeSamples(samples));
    const read = `
import json, sys
sys.path.insert(0, sys.argv[1])
from train_shapes import read_samples
x, t = read_samples(sys.argv[2], 2, 2)
print(json.dumps({"shape": list(x.shape), "x": x.flatten().tolist(), "t": t.flatten().tolist()}))
`;
    const r = spawnSync('python3', ['-B', '-c', read, SCRIPT_DIR, join(dir, 'samples.bin')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { shape: number[]; x: number[]; t: number[] };
    expect(got.shape).toEqual([2, 3, 2, 2]);
    // x[b, c, y, x] = input_b[(y·2 + x)·3 + c]
    samples.forEach((s, b) => {
      for (let c = 0; c < 3; c++) for (let p = 0; p < 4; p++) expect(got.x[((b * 3 + c) * 4) + p]).toBe(s.input[p * 3 + c]);
    });
    expect(got.t).toEqual([0, 0, 0, 1, 0, 0, 0.5, 0, 0, 0.5]);
  });

  it.runIf(hasTorch)('gives PyTorch eval-mode logits through the converted TF.js model and the TypeScript network', () => {
    const r = spawnSync('python3', ['-B', '-c', PYTHON, SCRIPT_DIR, dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const file = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as TorchWeightsFile;
    const io = JSON.parse(readFileSync(join(dir, 'io.json'), 'utf8')) as { input: number[]; logits: number[] };
    const params = deployedFromTorch(file, 5);
    const net = new JsShapesCnn(SIZE, FILTERS, 5, params);
    const model = toLayersModel(net);
    const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer('logits').output as tf.SymbolicTensor });
    const x = tf.tensor4d(io.input, [BATCH, SIZE, SIZE, 3]);
    const tfLogits = (logitsModel.predict(x) as tf.Tensor).dataSync();
    const scale = Math.max(...io.logits.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    let worstTf = 0;
    let worstJs = 0;
    for (let b = 0; b < BATCH; b++) {
      const js = net.forward(Float32Array.from(io.input.slice(b * SIZE * SIZE * 3, (b + 1) * SIZE * SIZE * 3)));
      for (let k = 0; k < 5; k++) {
        const want = io.logits[b * 5 + k] as number;
        worstTf = Math.max(worstTf, Math.abs((tfLogits[b * 5 + k] as number) - want));
        worstJs = Math.max(worstJs, Math.abs((js[k] as number) - want));
      }
    }
    console.log(`torch → TF.js logits: worst |Δ| ${worstTf.toExponential(2)} (TF.js), ${worstJs.toExponential(2)} (TypeScript), scale ${scale.toFixed(3)}`);
    expect(worstTf / scale).toBeLessThan(1e-5);
    expect(worstJs / scale).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });
});
