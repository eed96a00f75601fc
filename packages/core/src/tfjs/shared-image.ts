import * as tf from '@tensorflow/tfjs';
import type { CamEngine } from '../engine.js';
import { TfjsVersionError } from './errors.js';
import { toModelInput, type ImageInput, type Preprocess, type RgbaPixels } from './images.js';
import { overlayOnDevice, type OverlayOnDevice } from './overlay-image.js';
import { backendDevice } from './tensor-bridge.js';

/** The model input and the overlay's image, made from one upload of the pixels. */
export interface SharedImage {
  readonly input: tf.Tensor4D;
  readonly underlay: OverlayOnDevice;
}

interface TensorInfoLike {
  readonly dataId: object;
  readonly shape: number[];
  readonly dtype: 'float32';
}
interface ProgramRunner {
  runWebGPUProgram?(program: object, inputs: readonly TensorInfoLike[] | readonly tf.Tensor[], dtype: 'float32'): TensorInfoLike;
}

const WORKGROUP = 64;

/**
 * A TF.js webgpu program (TF.js's own program format, run on its command encoder):
 * packed RGBA8 pixels, one int32 each with r in the low byte, → float32 RGB in 0..255.
 */
function unpackRgbProgram(outputShape: number[]): object {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    outputShape,
    shaderKey: 'wgcam_rgba8_to_rgb',
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames: ['pixels'],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let packed = bitcast<u32>(pixels[index / 3]);
          result[index] = f32((packed >> (8u * u32(index % 3))) & 255u);
        }
      }`,
  };
}

function isRgba(image: ImageInput): image is RgbaPixels {
  return !(image instanceof tf.Tensor);
}

/**
 * On the webgpu backend with the engine on TF.js's device, uploads the RGBA8 pixels once
 * (the overlay's buffer) and unpacks them on the GPU into the model's input, so the image
 * reaches the GPU once per call instead of once for the model and again for the overlay.
 * Returns null elsewhere (wasm / cpu backends, tensor images): the caller makes the input
 * on the CPU side and uploads the overlay image separately.
 *
 * @example
 * const shared = await shareImageOnDevice([rgba], engine, [224, 224, 3], 'caffe');
 * const input = shared?.input ?? toModelInput([rgba], [224, 224, 3], 'caffe');
 */
export async function shareImageOnDevice(
  images: readonly ImageInput[],
  engine: CamEngine,
  inputShape: readonly [number | null, number | null, number],
  preprocess: Preprocess,
): Promise<SharedImage | null> {
  if (backendDevice() !== engine.device || !images.every(isRgba)) return null;
  const backend = tf.backend() as unknown as ProgramRunner;
  if (typeof backend.runWebGPUProgram !== 'function') throw new TfjsVersionError("webgpu backend's runWebGPUProgram()");
  const underlay = await overlayOnDevice(images, engine);
  try {
    const { width, height, count } = underlay.image as { width: number; height: number; count: number };
    const packed = tf.tensor({ buffer: underlay.image.data as GPUBuffer, zeroCopy: true }, [count * height * width], 'int32');
    const input = tf.tidy(() => {
      const info = backend.runWebGPUProgram!(unpackRgbProgram([count, height, width, 3]), [packed], 'float32');
      const rgb = tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
      return toModelInput([rgb], inputShape, preprocess);
    });
    packed.dispose();
    return { input, underlay };
  } catch (error) {
    underlay.release();
    throw error;
  }
}
