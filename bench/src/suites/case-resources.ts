// Inputs shared by every method of one model case: the images in the three forms the
// three ways of post-processing take, the colormap, and the dense kernel for CAM.
import * as tf from '@tensorflow/tfjs';
import { colormapTable } from '@wgcam/core';
import { lutTensor } from '../baselines/tfjs-post.js';
import { tensorBuffer } from '../gpu/tf-queue.js';
import { syntheticBatch } from '../inputs/synthetic-image.js';
import type { BenchModel } from '../models/bench-model.js';
import type { PostInputs } from './post-runners.js';

/** The per-case resources, and a function that frees them. */
export interface CaseResources {
  readonly input: tf.Tensor4D;
  readonly image: PostInputs['image'];
  readonly lut: PostInputs['lut'];
  readonly denseKernel: NonNullable<PostInputs['denseKernel']>;
  dispose(): void;
}

function imageBuffer(device: GPUDevice, rgba: Uint8Array): GPUBuffer {
  const buffer = device.createBuffer({ label: 'bench overlay images', size: Math.ceil(rgba.byteLength / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, rgba);
  return buffer;
}

/**
 * Seeded images for `batch` inputs of `bench`, uploaded once, outside any timed span.
 *
 * @example
 * const resources = await caseResources(device, bench, 8, 1008);
 */
export async function caseResources(device: GPUDevice, bench: BenchModel, batch: number, seed: number): Promise<CaseResources> {
  const { height, width, channels } = bench.input;
  if (channels !== 3) throw new Error(`${bench.name}: the benchmark feeds RGB images; this model takes ${channels} channels`);
  const images = syntheticBatch(batch, width, height, seed);
  const input = tf.tensor4d(images.modelInput, [batch, height, width, 3]);
  const imageTensor = tf.tensor4d(Int32Array.from(images.rgba), [batch, height, width, 4], 'int32');
  const table = colormapTable('jet');
  const lut = { table, tensor: lutTensor(table) };
  const kernel = tensorBuffer(bench.split.denseKernel);
  const kernelValues = (await bench.split.denseKernel.data()) as Float32Array;
  const gpuImages = imageBuffer(device, images.rgba);
  return {
    input,
    image: { buffer: gpuImages, tensor: imageTensor, bytes: images.rgba },
    lut,
    denseKernel: { tensor: bench.split.denseKernel, buffer: kernel.buffer, values: kernelValues },
    dispose: () => {
      tf.dispose([input, imageTensor, lut.tensor]);
      kernel.release();
      gpuImages.destroy();
    },
  };
}
