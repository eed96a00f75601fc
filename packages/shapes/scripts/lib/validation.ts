import * as tf from '@tensorflow/tfjs';
import {
  cameraInput,
  deriveSeed,
  generateDataset,
  movingShapeFrames,
  mulberry32,
  randomVideoFrame,
  SHAPE_CLASSES,
  SHAPES_DATASET_SEEDS,
  toModelInput,
  VALIDATION_VIDEO_SEEDS,
  type CameraInput,
  type FrameResize,
} from '../../src/index.js';
import { buildShapesCnn } from './build-shapes-cnn.js';
import { JsShapesCnn } from './js-cnn/network.js';
import { saveShapesModel } from './save-model.js';
import { trainingItem } from './training-inputs.js';

/** Images (training distribution, full clutter) on which BN population statistics are measured before folding. */
export const CALIBRATION_IMAGES = 512;
/** Video-condition validation frames (320×240 renders, ~0.14 s each, made once). */
const VIDEO_VALIDATION_FRAMES = 200;
/** Frames of each validation video (VALIDATION_VIDEO_SEEDS; 320×240, made once per run). */
const VALIDATION_VIDEO_FRAMES = 45;
/** Sample index where the calibration images start in the training seed, far beyond any training run. */
const CALIBRATION_START = 10_000_000;

/**
 * Images both engines measure BN population statistics on before folding: a fresh slice of
 * the training stream at full clutter, single-object stills and (with videoEvery) camera
 * frames in the training proportion, so BN folds with the statistics of the images the model
 * learned from. Two-object stills are left out, as before video frames were added, so
 * --aux-weight 1 --video-every 0 reproduces the model trained before that change.
 */
export function calibrationImages(size: number, videoEvery: number, videoWidth: number): Float32Array[] {
  const mix = { size, twoObjectEvery: 0, videoEvery, videoWidth };
  return [...Array(CALIBRATION_IMAGES).keys()].map((i) => trainingItem(SHAPES_DATASET_SEEDS.train, CALIBRATION_START + i, mix, 1).input);
}

/** What the trainers validate on after every epoch (reported; never used to pick an epoch). */
export interface ValidationSets {
  /** A slice of the held-out seed that evaluate.ts does not report on (indices 100000…). */
  readonly stills: readonly { readonly input: Float32Array; readonly label: number }[];
  /**
   * Camera frames of the video's distribution at the fake camera's 320×240, through the YUV
   * round trip and the demo's area resize, drawn from the held-out seed (none without video
   * frames in training).
   */
  readonly video: readonly CameraInput[];
  /** The same frames through the core's bilinear resize. */
  readonly videoBilinear: readonly CameraInput[];
  /**
   * Frames of the validation videos (VALIDATION_VIDEO_SEEDS, VALIDATION_VIDEO_FRAMES each),
   * area and bilinear: whole videos, whose frames share a background and an object style, as
   * evaluate.ts's videos do (none without video frames in training).
   */
  readonly videos: { readonly area: readonly CameraInput[]; readonly bilinear: readonly CameraInput[] };
}

/** The validation sets of a run (`withVideo`: whether the stream has camera frames). */
export function validationSets(size: number, valSize: number, withVideo: boolean): ValidationSets {
  const stills = generateDataset(SHAPES_DATASET_SEEDS.heldOut, valSize, { size, start: 100_000 }).map((s) => ({ input: toModelInput(s.pixels), label: s.label }));
  const frames = [...Array(withVideo ? VIDEO_VALIDATION_FRAMES : 0).keys()].map((i) =>
    randomVideoFrame(mulberry32(deriveSeed(SHAPES_DATASET_SEEDS.heldOut, 200_000 + i)), { label: i % SHAPE_CLASSES.length }),
  );
  const resized = (resize: FrameResize) => frames.map((f) => cameraInput(f.pixels, f.objects, f.width, f.height, size, resize));
  // Each video frame is resized both ways as it is rendered, so the 320×240 frames are not all held at once.
  const videos = { area: [] as CameraInput[], bilinear: [] as CameraInput[] };
  for (const seed of withVideo ? VALIDATION_VIDEO_SEEDS : []) {
    for (const f of movingShapeFrames(seed, { frames: VALIDATION_VIDEO_FRAMES })) {
      videos.area.push(cameraInput(f.pixels, f.objects, f.width, f.height, size, 'area'));
      videos.bilinear.push(cameraInput(f.pixels, f.objects, f.width, f.height, size, 'bilinear'));
    }
  }
  return { stills, video: resized('area'), videoBilinear: resized('bilinear'), videos };
}

/** Puts the deployed parameters (PARAM_NAMES order) into a TF.js LayersModel of buildShapesCnn. */
export function toLayersModel(net: JsShapesCnn): tf.LayersModel {
  const model = buildShapesCnn(tf, { imageSize: net.size, numClasses: net.numClasses, filters: net.filters });
  const shapes = model.getWeights().map((w) => w.shape);
  model.setWeights(net.params.map((p, i) => tf.tensor(p, shapes[i])));
  return model;
}

/**
 * Scores a deployed (BN-folded) network on the validation sets and, when `save` is given,
 * saves it there as a TF.js LayersModel. Returns the stills accuracy and the report text.
 */
export async function validateAndSave(net: JsShapesCnn, sets: ValidationSets, save?: string): Promise<{ accuracy: number; text: string }> {
  let correct = 0;
  sets.stills.forEach((s) => (correct += net.predict(s.input) === s.label ? 1 : 0));
  const accuracy = correct / sets.stills.length;
  const videoAccuracy = (frames: readonly CameraInput[]) => frames.filter((v) => net.predict(v.input) === v.label).length / frames.length;
  let text = `val-acc ${accuracy.toFixed(4)}`;
  if (sets.video.length > 0) text += ` video-val-acc ${videoAccuracy(sets.video).toFixed(4)} (area) ${videoAccuracy(sets.videoBilinear).toFixed(4)} (bilinear)`;
  if (sets.videos.area.length > 0) {
    text += ` val-videos ${videoAccuracy(sets.videos.area).toFixed(4)} (area) ${videoAccuracy(sets.videos.bilinear).toFixed(4)} (bilinear)`;
  }
  if (save !== undefined) {
    const model = toLayersModel(net);
    await saveShapesModel(model, save);
    model.dispose();
    text += ` → saved to ${save}`;
  }
  return { accuracy, text };
}
