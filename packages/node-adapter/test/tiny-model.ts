// A small seeded CNN with a GAP → Dense → Softmax head, built in the test: the shape of
// the bundled model, without depending on trained files.
import * as tf from '@tensorflow/tfjs';

export function tinyCnn(seed = 7, classes = 5): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotNormal({ seed: seed + s });
  const input = tf.input({ shape: [16, 16, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2), biasInitializer: tf.initializers.constant({ value: 0.05 }), name: 'last_conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: classes, kernelInitializer: init(3), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'tiny' });
}

export function seededImage(seed: number, width = 24, height = 20): { data: Uint8Array; width: number; height: number } {
  let s = seed;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = i % 4 === 3 ? 255 : s % 256;
  }
  return { data, width, height };
}
