import type * as tfType from '@tensorflow/tfjs';

/**
 * Largest |difference| between the LayersModel's `logits` layer and the graph model's
 * `logits/BiasAdd` node on the same input batch.
 *
 * @example
 * const diff = await maxLogitDifference(tf, layersModel, graphModel, x);
 */
export async function maxLogitDifference(
  tf: typeof tfType,
  layers: tfType.LayersModel,
  graph: tfType.GraphModel,
  x: tfType.Tensor4D,
): Promise<number> {
  const logitsModel = tf.model({ inputs: layers.inputs, outputs: layers.getLayer('logits').output as tfType.SymbolicTensor });
  const fromLayers = logitsModel.predict(x) as tfType.Tensor;
  const fromGraph = graph.execute(x, 'logits/BiasAdd') as tfType.Tensor;
  const diff = tf.max(tf.abs(tf.sub(fromLayers, fromGraph)));
  const value = (await diff.data())[0] as number;
  tf.dispose([fromLayers, fromGraph, diff]);
  return value;
}
