// Baseline 2: the CPU way of the existing JavaScript Grad-CAM ports: read the activations
// and gradients back from the GPU, then compute the weights, the map, its normalisation,
// the bilinear resize, the colormap and the overlay in plain JavaScript loops.
import type { BenchMethod, FeatureShape, PixelSize } from './feature-shape.js';

/** What the CPU post-processing needs besides the activations, per method. */
export type CpuMethodInputs =
  | { readonly method: Exclude<BenchMethod, 'cam' | 'scorecam'>; readonly gradients: Float32Array }
  | { readonly method: 'cam'; readonly denseKernel: Float32Array; readonly classes: number; readonly targets: readonly number[] }
  | { readonly method: 'scorecam'; readonly weights: Float32Array };

/** The overlay's inputs: RGBA8 images (1 or B), a 256×4 colour table in [0, 1], α. */
export interface CpuOverlayInputs {
  readonly image: Uint8Array;
  readonly lut: Float32Array;
  readonly alpha: number;
}

/** Heatmaps [B, H, W] in [0, 1] and overlays [B, H, W, 4]. */
export interface CpuPostOutputs {
  readonly heatmap: Float32Array;
  readonly overlay: Uint8Array;
}

/** Channel weights [B, C] of the weighted-sum methods. */
export function cpuChannelWeights(activations: Float32Array, inputs: CpuMethodInputs, shape: FeatureShape): Float32Array {
  const { batch, channels: C } = shape;
  const S = shape.height * shape.width;
  const weights = new Float32Array(batch * C);
  if (inputs.method === 'scorecam') return inputs.weights;
  if (inputs.method === 'cam') {
    for (let b = 0; b < batch; b++) {
      const target = inputs.targets[b] as number;
      for (let c = 0; c < C; c++) weights[b * C + c] = inputs.denseKernel[c * inputs.classes + target] as number;
    }
    return weights;
  }
  const G = inputs.gradients;
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < C; c++) {
      let sumA = 0;
      let sumG = 0;
      let sumGA = 0;
      for (let s = 0; s < S; s++) {
        const i = (b * S + s) * C + c;
        sumA += activations[i] as number;
        sumG += G[i] as number;
        sumGA += (G[i] as number) * (activations[i] as number);
      }
      let w: number;
      if (inputs.method === 'gradcam') w = sumG / S;
      else if (inputs.method === 'xgradcam') w = sumGA / (sumA + 1e-7);
      else {
        w = 0;
        for (let s = 0; s < S; s++) {
          const g = G[(b * S + s) * C + c] as number;
          if (g === 0) continue;
          w += (Math.max(g, 0) * g * g) / (2 * g * g + sumA * g * g * g + 1e-6);
        }
      }
      weights[b * C + c] = w;
    }
  }
  return weights;
}

/** ReLU'd maps [B, h, w]: Σ_c w·A for the weighted-sum methods, Σ_c f(G)·A for Layer-CAM / HiResCAM. */
export function cpuMaps(activations: Float32Array, inputs: CpuMethodInputs, shape: FeatureShape): Float32Array {
  const { batch, channels: C } = shape;
  const S = shape.height * shape.width;
  const maps = new Float32Array(batch * S);
  const elementwise = inputs.method === 'layercam' || inputs.method === 'hirescam';
  const weights = elementwise ? null : cpuChannelWeights(activations, inputs, shape);
  const G = 'gradients' in inputs ? inputs.gradients : null;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < S; s++) {
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const i = (b * S + s) * C + c;
        const a = activations[i] as number;
        if (weights) sum += (weights[b * C + c] as number) * a;
        else {
          const g = (G as Float32Array)[i] as number;
          sum += (inputs.method === 'layercam' ? Math.max(g, 0) : g) * a;
        }
      }
      maps[b * S + s] = Math.max(sum, 0);
    }
  }
  return maps;
}

/** (x − min)/(max − min + 1e-7) per map, in place. */
export function cpuNormalize(maps: Float32Array, count: number): Float32Array {
  const S = maps.length / count;
  for (let m = 0; m < count; m++) {
    let low = Infinity;
    let high = -Infinity;
    for (let s = 0; s < S; s++) {
      const v = maps[m * S + s] as number;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    for (let s = 0; s < S; s++) maps[m * S + s] = ((maps[m * S + s] as number) - low) / (high - low + 1e-7);
  }
  return maps;
}

/** Bilinear resize with half-pixel centres (as tf.image.resizeBilinear(…, false, true) and OpenCV). */
export function cpuResizeBilinear(maps: Float32Array, count: number, from: PixelSize, to: PixelSize): Float32Array {
  const out = new Float32Array(count * to.height * to.width);
  const scaleY = from.height / to.height;
  const scaleX = from.width / to.width;
  for (let m = 0; m < count; m++) {
    const base = m * from.height * from.width;
    for (let Y = 0; Y < to.height; Y++) {
      const sy = Math.min(Math.max((Y + 0.5) * scaleY - 0.5, 0), from.height - 1);
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, from.height - 1);
      const fy = sy - y0;
      for (let X = 0; X < to.width; X++) {
        const sx = Math.min(Math.max((X + 0.5) * scaleX - 0.5, 0), from.width - 1);
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, from.width - 1);
        const fx = sx - x0;
        const a = maps[base + y0 * from.width + x0] as number;
        const b = maps[base + y0 * from.width + x1] as number;
        const c = maps[base + y1 * from.width + x0] as number;
        const d = maps[base + y1 * from.width + x1] as number;
        const top = a + (b - a) * fx;
        const bottom = c + (d - c) * fx;
        out[(m * to.height + Y) * to.width + X] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/** round((1−α)·image + α·255·lut[level]) with level = min(floor(clamp(h, 0, 1)·256), 255). */
export function cpuOverlay(heat: Float32Array, count: number, overlay: CpuOverlayInputs): Uint8Array {
  const pixels = heat.length / count;
  const images = overlay.image.length / (pixels * 4);
  const out = new Uint8Array(heat.length * 4);
  const { lut, alpha, image } = overlay;
  for (let m = 0; m < count; m++) {
    const imageBase = (images === 1 ? 0 : m) * pixels * 4;
    for (let p = 0; p < pixels; p++) {
      const h = Math.min(Math.max(heat[m * pixels + p] as number, 0), 1);
      const level = Math.min(Math.floor(h * 256), 255);
      const o = (m * pixels + p) * 4;
      for (let ch = 0; ch < 3; ch++) {
        out[o + ch] = Math.round((1 - alpha) * (image[imageBase + p * 4 + ch] as number) + alpha * 255 * (lut[level * 4 + ch] as number));
      }
      out[o + 3] = image[imageBase + p * 4 + 3] as number;
    }
  }
  return out;
}

/**
 * The whole post-processing on the CPU: maps, resize to `size`, normalisation at that size
 * (wgcam's default `normalize: 'output'`, as pytorch-grad-cam), overlay.
 *
 * @example
 * const { heatmap, overlay } = cpuPostProcess(A, { method: 'gradcam', gradients: G }, shape, { height: 224, width: 224 }, { image, lut, alpha: 0.5 });
 */
export function cpuPostProcess(activations: Float32Array, inputs: CpuMethodInputs, shape: FeatureShape, size: PixelSize, overlay: CpuOverlayInputs): CpuPostOutputs {
  const heatmap = cpuNormalize(cpuResizeBilinear(cpuMaps(activations, inputs, shape), shape.batch, shape, size), shape.batch);
  return { heatmap, overlay: cpuOverlay(heatmap, shape.batch, overlay) };
}
