// The Node reference path for frames the page explained: the core Explainer (TF.js cpu
// backend, engine on a Dawn device) on the very pixels the camera delivered to the page,
// resized into the model input by the float64 reference of the page's resize kernel.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CamEngine, heatmapPeak, type MethodName } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { Explainer } from '@wgcam/core/tfjs';
import { createNodeDevice, loadModel, type NodeDevice } from '@wgcam/node-adapter';
import { modelInputReference } from '../../../../packages/web-adapter/test/reference.js';
import type { DemoProbe } from '../../src/test-hooks.js';

/** What the reference path says about one probed frame, next to what the page said. */
export interface ReferenceComparison {
  readonly pageClass: number;
  readonly referenceClass: number;
  /** Hottest cell (row-major index) of the page's and the reference's feature-resolution heatmap. */
  readonly pageCell: number;
  readonly referenceCell: number;
  /** The reference heatmap's value at the page's hottest cell, and its maximum (1 after normalisation). */
  readonly referenceAtPageCell: number;
  readonly referenceMax: number;
  /** Relative L2 between the two heatmaps (when both explain the same class). */
  readonly heatmapRelativeL2: number;
}

/**
 * The core Explainer in Node, on a model folder, fed with probed page frames.
 *
 * @example
 * const reference = await NodeReference.open('models/shapes-cnn/model.json', 'last_conv');
 * const c = await reference.compare(probe, 'gradcam++');
 * reference.close();
 */
export class NodeReference {
  private constructor(
    private readonly node: NodeDevice,
    private readonly engine: CamEngine,
    private readonly model: tf.LayersModel | tf.GraphModel,
    private readonly explainer: Explainer,
    private readonly inputSize: { readonly height: number; readonly width: number },
  ) {}

  /** Loads `modelJson` on TF.js's cpu backend and an engine on a new Node device. */
  static async open(modelJson: string, layer: string): Promise<NodeReference> {
    await tf.setBackend('cpu');
    const node = await createNodeDevice();
    const engine = new CamEngine(node.device);
    const model = await loadModel(modelJson);
    const shape = (model as tf.LayersModel).inputs[0]!.shape;
    const height = shape[1];
    const width = shape[2];
    if (typeof height !== 'number' || typeof width !== 'number' || shape[3] !== 3) throw new Error(`${join(modelJson)} has input ${JSON.stringify(shape)}; the reference expects [?, H, W, 3]`);
    return new NodeReference(node, engine, model, new Explainer(model, { engine, layer }), { height, width });
  }

  /**
   * Explains the probe's image (the camera frame as the page received it) with the
   * page's settings: the page's own area-sampling resize in float64, 'unit' preprocessing,
   * top-1 target, heatmap at feature resolution.
   */
  async compare(probe: DemoProbe, method: MethodName): Promise<ReferenceComparison> {
    const { width, height } = probe.imageSize;
    const rgba = new Uint8Array(Buffer.from(probe.imageBase64, 'base64'));
    // 0..255 values at the model's size; the Explainer's 'unit' preset divides by 255, as the page's kernel does.
    const input = modelInputReference({ data: rgba, width, height }, this.inputSize.height, this.inputSize.width, 3, [1, 1, 1], [0, 0, 0]);
    const pixels = tf.tensor4d(Float32Array.from(input), [1, this.inputSize.height, this.inputSize.width, 3]);
    try {
      const result = await this.explainer.explain(pixels, { method, size: 'feature', overlay: false });
      const item = result.items[0]!;
      const pageMap = Float32Array.from(probe.heatmap);
      const cell = (map: Float32Array): number => {
        const { x, y } = heatmapPeak(map, probe.heatmapSize.width);
        return y * probe.heatmapSize.width + x;
      };
      return {
        pageClass: probe.explained.classIndex,
        referenceClass: item.classIndex,
        pageCell: cell(pageMap),
        referenceCell: cell(item.heatmap),
        referenceAtPageCell: item.heatmap[cell(pageMap)]!,
        referenceMax: Math.max(...item.heatmap),
        heatmapRelativeL2: item.heatmap.length === pageMap.length ? relativeL2(pageMap, item.heatmap) : NaN,
      };
    } finally {
      pixels.dispose();
    }
  }

  close(): void {
    this.explainer.dispose();
    this.model.dispose();
    this.engine.destroy();
    this.node.destroy();
  }
}
