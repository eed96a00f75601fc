// Float64 reference of eigen smoothing (pytorch-grad-cam's eigen_smooth): the per-channel
// terms a method sums, projected onto their first principal component instead.
import type { FeatureDims } from '../inputs.js';
import type { MethodEncoding } from '../methods.js';
import { eigenProjections } from './eigen.js';

type Values = ArrayLike<number>;

/**
 * The terms Z[m, s, c] a method's map sums over c: w[m,c]·A (weighted-sum methods, from
 * their reference weights) or f(G, A) (element-wise methods), [B·K, S, C].
 *
 * @example
 * const Z = summedTerms({ kind: 'elementwise', product: 'relu-gradient' }, null, A, G, dims);
 */
export function summedTerms(encoding: MethodEncoding, weights: Float64Array | null, activations: Values, gradients: Values | null, d: FeatureDims): Float64Array {
  const S = d.height * d.width;
  const C = d.channels;
  const maps = d.batch * d.targets;
  const Z = new Float64Array(maps * S * C);
  for (let m = 0; m < maps; m++) {
    const b = Math.floor(m / d.targets);
    for (let s = 0; s < S; s++) {
      for (let c = 0; c < C; c++) {
        const a = activations[(b * S + s) * C + c]!;
        let z: number;
        if (encoding.kind === 'weighted-sum') {
          if (!weights) throw new Error('reference: eigen smoothing a weighted-sum method needs its weights');
          z = weights[m * C + c]! * a;
        } else if (encoding.kind === 'elementwise') {
          if (!gradients) throw new Error('reference: eigen smoothing an element-wise method needs gradients');
          const g = gradients[(m * S + s) * C + c]!;
          z = encoding.product === 'gradient' ? g * a : encoding.product === 'relu-gradient' ? Math.max(g, 0) * a : Math.max(g * a, 0);
        } else {
          throw new Error('reference: a projection method is not eigen-smoothed (its map already is a projection)');
        }
        Z[(m * S + s) * C + c] = z;
      }
    }
  }
  return Z;
}

/**
 * Eigen-smoothed raw maps [B·K, S]: ReLU(p), p the projection of Z centred per channel over
 * positions onto its first principal component, with Eigen-CAM's sign rule (max ≥ −min).
 *
 * @example
 * const rawMaps = eigenSmoothedMaps(METHODS.gradcam.encoding, weights, A, G, dims);
 */
export function eigenSmoothedMaps(encoding: MethodEncoding, weights: Float64Array | null, activations: Values, gradients: Values | null, d: FeatureDims): Float64Array {
  const Z = summedTerms(encoding, weights, activations, gradients, d);
  // Each map as its own "image" of activations: eigenProjections centres and projects per map.
  const { projections } = eigenProjections(Z, null, { ...d, batch: d.batch * d.targets, targets: 1 });
  return projections.map((p) => Math.max(p, 0));
}
