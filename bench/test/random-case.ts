// Seeded small inputs shared by the baseline tests.
import { seededUniform } from '../src/inputs/prng.js';
import type { FeatureShape } from '../src/baselines/feature-shape.js';

export const SHAPE: FeatureShape = { batch: 2, height: 5, width: 9, channels: 13 };
export const SIZE = { height: 17, width: 23 };
export const CLASSES = 6;
export const TARGETS = [4, 1];

const count = SHAPE.batch * SHAPE.height * SHAPE.width * SHAPE.channels;
/** Non-negative activations (as after a ReLU) and gradients of both signs. */
export const ACTIVATIONS = seededUniform(count, 1, 0, 2);
export const GRADIENTS = seededUniform(count, 2, -1, 1);
export const DENSE_KERNEL = seededUniform(SHAPE.channels * CLASSES, 3, -1, 1);
export const IMAGES = Uint8Array.from(seededUniform(SHAPE.batch * SIZE.height * SIZE.width * 4, 4, 0, 256), Math.floor);
