// A ResNet50-shaped network (He et al. 2016) at 224×224×3: 7×7 stem, max-pool, then
// bottleneck blocks (1×1 reduce → 3×3 → 1×1 expand ×4) in stages of 3, 4, 6, 3 with
// projection shortcuts where the shape changes, ending at 7×7×2048 → GAP → Dense(1000).
import * as tf from '@tensorflow/tfjs';
import { SeedSequence } from './seeded-init.js';

/** Name of the 7×7×2048 layer the benchmark explains (the last block's output). */
export const RESNET_TARGET_LAYER = 'stage4_block3_out';

const STAGES: readonly (readonly [number, number])[] = [
  [64, 3],
  [128, 4],
  [256, 6],
  [512, 3],
];

// Random weights with identity batch norms make every residual add double the variance;
// a small scale on each block's last BN keeps 16 blocks of that well inside float32.
const RESIDUAL_GAMMA = 0.5;

function convBn(x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, seeds: SeedSequence, name: string, gamma = 1): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: seeds.heNormal(), name });
  const bn = tf.layers.batchNormalization({ gammaInitializer: tf.initializers.constant({ value: gamma }), name: `${name}_bn` });
  return bn.apply(conv.apply(x)) as tf.SymbolicTensor;
}

function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
}

function bottleneck(x: tf.SymbolicTensor, width: number, stride: number, project: boolean, seeds: SeedSequence, name: string): tf.SymbolicTensor {
  let y = relu(convBn(x, width, 1, 1, seeds, `${name}_reduce`), `${name}_reduce_relu`);
  y = relu(convBn(y, width, 3, stride, seeds, `${name}_conv3`), `${name}_conv3_relu`);
  y = convBn(y, width * 4, 1, 1, seeds, `${name}_expand`, RESIDUAL_GAMMA);
  const shortcut = project ? convBn(x, width * 4, 1, stride, seeds, `${name}_shortcut`) : x;
  return relu(tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as tf.SymbolicTensor, `${name}_out`);
}

/**
 * Builds the ResNet50-style network with seeded random weights.
 *
 * @example
 * const model = buildResNet50(11);
 * model.getLayer(RESNET_TARGET_LAYER).outputShape; // [null, 7, 7, 2048]
 */
export function buildResNet50(seed: number): tf.LayersModel {
  const seeds = new SeedSequence(seed);
  const input = tf.input({ shape: [224, 224, 3], name: 'image' });
  let x = relu(convBn(input, 64, 7, 2, seeds, 'stem'), 'stem_relu');
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'stem_pool' }).apply(x) as tf.SymbolicTensor;
  STAGES.forEach(([width, blocks], stage) => {
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      x = bottleneck(x, width, stride, i === 0, seeds, `stage${stage + 1}_block${i + 1}`);
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 1000, kernelInitializer: seeds.glorotUniform(), name: 'logits' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'resnet50_style' });
}
