import * as tf from '@tensorflow/tfjs';
import { spatialLayerNames, splitGraphModel, splitLayersModel, type SplitModel } from '@wgcam/core/tfjs';

/** Layers offered for explanation: the last this many with a 4-D output (CAM wants late layers). */
export const MAX_LAYER_CHOICES = 12;

/**
 * The model cut at every layer the page offers, built once when the model loads.
 *
 * Why eagerly, last layer first: cutting a LayersModel re-applies the layers after the cut
 * to a new input, which gives each of them a second inbound node, and TF.js cannot take
 * `layer.output` of a layer with several nodes. Cutting from the last offered layer
 * backwards means every cut is made before any later cut touches its layer.
 *
 * @example
 * const splits = new LayerSplits(model);
 * const split = splits.get(null); // the automatic choice, e.g. 'last_conv'
 */
export class LayerSplits {
  /** Layer names the user can pick (LayersModel only), earliest first. */
  readonly names: readonly string[];
  /** The layer picked when none is chosen: the last one with a 4-D output. */
  readonly automatic: string;
  private readonly splits = new Map<string, SplitModel>();

  constructor(model: tf.LayersModel | tf.GraphModel) {
    if (model instanceof tf.GraphModel) {
      const split = splitGraphModel(model);
      this.names = [];
      this.automatic = split.layer;
      this.splits.set(split.layer, split);
      return;
    }
    this.names = spatialLayerNames(model).slice(-MAX_LAYER_CHOICES);
    for (const name of [...this.names].reverse()) this.splits.set(name, splitLayersModel(model, name));
    const last = this.names[this.names.length - 1];
    if (last === undefined) throw new Error('the model has no layer with a 4-D [B, h, w, C] output to explain; CAM methods need a convolutional feature map');
    this.automatic = last;
  }

  /** The model cut at `layer` (null: the automatic choice). */
  get(layer: string | null): SplitModel {
    const split = this.splits.get(layer ?? this.automatic);
    if (!split) throw new Error(`layer '${layer}' is not one of the offered layers: ${this.names.join(', ')}`);
    return split;
  }

  dispose(): void {
    for (const split of this.splits.values()) split.dispose();
    this.splits.clear();
  }
}
