// A MobileNetV2-shaped network (Sandler et al. 2018) at 224×224×3: inverted residual blocks
// (1×1 expand → 3×3 depthwise → 1×1 linear projection, residual when shapes match), ending
// in the 1×1 conv to 1280 channels at 7×7 that CAM methods target, then GAP → Dense(1000).
import * as tf from '@tensorflow/tfjs';
import { SeedSequence } from './seeded-init.js';

/** Name of the 7×7×1280 layer the benchmark explains. */
export const MOBILENET_TARGET_LAYER = 'conv_1280_relu6';

// (expansion t, output channels c, repeats n, first stride s), as in the paper's Table 2.
const STAGES: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

function convBnRelu6(x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, seeds: SeedSequence, name: string): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: seeds.heNormal(), name });
  const bn = tf.layers.batchNormalization({ name: `${name}_bn` });
  return tf.layers.reLU({ maxValue: 6, name: `${name}_relu6` }).apply(bn.apply(conv.apply(x))) as tf.SymbolicTensor;
}

function invertedResidual(x: tf.SymbolicTensor, inChannels: number, expansion: number, outChannels: number, stride: number, seeds: SeedSequence, name: string): tf.SymbolicTensor {
  let y = x;
  if (expansion !== 1) y = convBnRelu6(y, inChannels * expansion, 1, 1, seeds, `${name}_expand`);
  const depthwise = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, depthwiseInitializer: seeds.depthwiseHeNormal(), name: `${name}_dw` });
  y = tf.layers.batchNormalization({ name: `${name}_dw_bn` }).apply(depthwise.apply(y)) as tf.SymbolicTensor;
  y = tf.layers.reLU({ maxValue: 6, name: `${name}_dw_relu6` }).apply(y) as tf.SymbolicTensor;
  const project = tf.layers.conv2d({ filters: outChannels, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: seeds.heNormal(), name: `${name}_project` });
  y = tf.layers.batchNormalization({ name: `${name}_project_bn` }).apply(project.apply(y)) as tf.SymbolicTensor;
  if (stride === 1 && inChannels === outChannels) y = tf.layers.add({ name: `${name}_add` }).apply([x, y]) as tf.SymbolicTensor;
  return y;
}

/**
 * Builds the MobileNetV2-style network with seeded random weights.
 *
 * @example
 * const model = buildMobileNetV2(7);
 * model.getLayer(MOBILENET_TARGET_LAYER).outputShape; // [null, 7, 7, 1280]
 */
export function buildMobileNetV2(seed: number): tf.LayersModel {
  const seeds = new SeedSequence(seed);
  const input = tf.input({ shape: [224, 224, 3], name: 'image' });
  let x = convBnRelu6(input, 32, 3, 2, seeds, 'stem');
  let channels = 32;
  STAGES.forEach(([expansion, outChannels, repeats, stride], stage) => {
    for (let i = 0; i < repeats; i++) {
      x = invertedResidual(x, channels, expansion, outChannels, i === 0 ? stride : 1, seeds, `block${stage + 1}_${i + 1}`);
      channels = outChannels;
    }
  });
  // The explained tensor is this conv's ReLU6 output, right before GAP (as CAM needs).
  const target = convBnRelu6(x, 1280, 1, 1, seeds, 'conv_1280');
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(target) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 1000, kernelInitializer: seeds.glorotUniform(), name: 'logits' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'mobilenet_v2_style' });
}
