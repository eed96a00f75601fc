// Gradients of several noisy copies of the input (Smooth Grad-CAM++), stacked sample-major
// in front of the batch: [N·B, h, w, C] or [N·B, K, h, w, C].
import { ShapeError } from './errors.js';
import { checkData, checkShape, type FeatureDims, type TensorSource } from './inputs.js';

/** Targets per image K and samples N of sample-major noisy gradients. */
export interface GradientSamples {
  readonly targets: number;
  readonly samples: number;
}

/**
 * Checks noisy gradients against the clean activations' dims and returns K and N: the
 * leading dimension must be a whole multiple N·B of the activations' batch.
 *
 * @example
 * gradientSamples({ data, shape: [8, 7, 7, 512] }, { batch: 2, height: 7, width: 7, channels: 512 }); // { targets: 1, samples: 4 }
 */
export function gradientSamples(gradients: TensorSource, dims: Omit<FeatureDims, 'targets'>): GradientSamples {
  const layout = '[N·B, h, w, C] or [N·B, K, h, w, C] (N noisy samples, sample-major)';
  checkShape('gradients', gradients.shape, [4, 5], layout);
  checkData('gradients', gradients);
  const shape = gradients.shape;
  const targets = shape.length === 5 ? (shape[1] as number) : 1;
  const [lead, h, w, c] = (shape.length === 5 ? [shape[0], shape[2], shape[3], shape[4]] : shape) as [number, number, number, number];
  if (lead % dims.batch !== 0 || h !== dims.height || w !== dims.width || c !== dims.channels) {
    throw new ShapeError(
      `gradients [${shape.join(', ')}] do not match activations [${dims.batch}, ${dims.height}, ${dims.width}, ${dims.channels}]: ` +
        `Smooth Grad-CAM++ needs ${layout}, each sample's gradient of the target scores with respect to its noisy input's activations`,
    );
  }
  return { targets, samples: lead / dims.batch };
}
