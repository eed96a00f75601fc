import * as tf from '@tensorflow/tfjs';
import { listLayers, splitGraphModel, splitLayersModel, type SplitModel } from '@wgcam/core/tfjs';

/** Layers offered for explanation: the last this many with a 4-D output (CAM wants late layers). */
export const MAX_LAYER_CHOICES = 12;

/**
 * The model cut at the layers the page offers (both model formats: Keras layer names, and
 * paths inside nested models), each cut made the first time it is asked for and kept.
 * Layers that cannot be explained (inside a residual block, say) are not offered.
 *
 * @example
 * const splits = new LayerSplits(model);
 * const split = splits.get(null); // the automatic choice, e.g. 'last_conv'
 */
export class LayerSplits {
  /** Layer names the user can pick, earliest first (the automatic one always among them). */
  readonly names: readonly string[];
  /** The layer picked when none is chosen: the Keras recipe's last spatial map before the head. */
  readonly automatic: string;
  private readonly splits = new Map<string, SplitModel>();

  constructor(private readonly model: tf.LayersModel | tf.GraphModel) {
    const layers = listLayers(model).filter((l) => !l.refused);
    const automatic = layers.find((l) => l.automatic)?.name;
    if (automatic === undefined) throw new Error('the model has no spatial feature map (a layer with a 4-D [B, h, w, C] output before pooling) to explain; CAM methods need a convolutional feature map');
    const late = layers.slice(-MAX_LAYER_CHOICES).map((l) => l.name);
    this.names = late.includes(automatic) ? late : [...late.slice(1), automatic];
    this.automatic = automatic;
    this.get(null);
  }

  /** The model cut at `layer` (null: the automatic choice). */
  get(layer: string | null): SplitModel {
    const name = layer ?? this.automatic;
    const known = this.splits.get(name);
    if (known) return known;
    if (!this.names.includes(name)) throw new Error(`layer '${layer}' is not one of the offered layers: ${this.names.join(', ')}`);
    const options = { layer: name };
    const split = this.model instanceof tf.GraphModel ? splitGraphModel(this.model, options) : splitLayersModel(this.model, options);
    this.splits.set(name, split);
    return split;
  }

  dispose(): void {
    for (const split of this.splits.values()) split.dispose();
    this.splits.clear();
  }
}
