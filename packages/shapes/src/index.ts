/**
 * @wgcam/shapes — a seeded synthetic "shapes" data set (images, labels and per-object masks),
 * moving-shape video frames for fake-camera tests, and y4m encoding. Pure TypeScript with no
 * TF.js or Node dependency; Node-only helpers live in `@wgcam/shapes/node`.
 */
export { SHAPE_CLASSES, NUM_SHAPE_CLASSES, type ShapeClass } from './classes.js';
export { mulberry32, deriveSeed, uniform, randomInt, pick, type Rng } from './rng.js';
export { generateSample, TRAINING_IMAGE_SIZE, type Sample, type SampleOptions, type ObjectMask } from './sample.js';
export { generateDataset, type DatasetOptions } from './dataset.js';
export { toModelInput } from './model-input.js';
export { maskBoundingBox, type BoundingBox } from './objects.js';
export { shapeRegion, type ShapePlacement } from './shapes.js';
export {
  movingShapeFrames,
  renderMovingShapes,
  type MovingShapesOptions,
  type MovingShapesFrame,
} from './video.js';
export {
  cameraInput,
  randomVideoFrame,
  resizeToModelInput,
  shrinkMask,
  type CameraInput,
  type FrameResize,
  type RandomVideoFrameOptions,
} from './camera-frame.js';
export {
  rgbaToI420,
  i420ToRgba,
  y4mHeader,
  y4mFrame,
  parseY4m,
  type I420Frame,
  type Y4mVideo,
} from './yuv.js';
export { SHAPES_DATASET_SEEDS, VALIDATION_VIDEO_SEEDS } from './seeds.js';
