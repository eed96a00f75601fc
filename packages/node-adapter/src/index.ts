/**
 * wgcam for Node: Dawn devices, image and .npy I/O, and the `wgcam` command line.
 *
 * @example
 * import { createNodeDevice } from '@wgcam/node-adapter';
 * import { CamEngine } from '@wgcam/core';
 * const { device, destroy } = await createNodeDevice();
 * const engine = new CamEngine(device);
 */
export { createNodeDevice, SWIFTSHADER_ICD } from './device.js';
export type { AdapterKind, NodeAdapterReport, NodeDevice, NodeDeviceOptions } from './device.js';
export { NoGpuAdapterError } from './errors.js';
export { readNpy, writeNpy, NpyFormatError } from './io/npy.js';
export type { NpyArray } from './io/npy.js';
export { decodeImage, encodePng, readImage, ImageFormatError, MAX_IMAGE_PIXELS } from './io/images.js';
export type { RgbaImage } from './io/images.js';
export { writeFileAtomic } from './io/atomic-write.js';
export { createNodeGpu } from './device.js';
export type { NodeGpu } from './device.js';
export { useTfjsWebGpu } from './tfjs-backend.js';
export { loadModel, fileHandler } from './model-loader.js';
