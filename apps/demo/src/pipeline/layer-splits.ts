import * as tf from '@tensorflow/tfjs';
import { spatialLayerNames, splitGraphModel, splitLayersModel, type SplitModel } from '@wgcam/core/tfjs';

/** Layers offered for explanation: the last this many with a 4-D output (CAM wants late layers). */
export const MAX_LAYER_CHOICES = 12;

/**
 * The model cut at the layers the page offers, each cut made the first time it is asked
 * for and kept. A layer that is not a cut point (inside a residual block, say) fails when
 * picked, with the core's message, and never stops the model from loading.
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

  constructor(private readonly model: tf.LayersModel | tf.GraphModel) {
    if (model instanceof tf.GraphModel) {
      const split = splitGraphModel(model);
      this.names = [];
      this.automatic = split.layer;
      this.splits.set(split.layer, split);
      return;
    }
    this.names = spatialLayerNames(model).slice(-MAX_LAYER_CHOICES);
    const last = this.names[this.names.length - 1];
    if (last === undefined) throw new Error('the model has no layer with a 4-D [B, h, w, C] output to explain; CAM methods need a convolutional feature map');
    this.automatic = last;
    this.get(null);
  }

  /** The model cut at `layer` (null: the automatic choice). */
  get(layer: string | null): SplitModel {
    const name = layer ?? this.automatic;
    const known = this.splits.get(name);
    if (known) return known;
    if (this.model instanceof tf.GraphModel || !this.names.includes(name)) {
      throw new Error(`layer '${layer}' is not one of the offered layers: ${this.names.join(', ')}`);
    }
    const split = splitLayersModel(this.model, name);
    this.splits.set(name, split);
    return split;
  }

  dispose(): void {
    for (const split of this.splits.values()) split.dispose();
    this.splits.clear();
  }
}
