/**
 * wgcam for Node: explanations of TF.js models rendered to files (explainFile,
 * explainImage, explainFiles — the code path of the `wgcam explain` command), Dawn
 * devices, and image and .npy I/O.
 *
 * @example
 * import { explainFile } from '@wgcam/node-adapter';
 * const { label, probability, outputs } = await explainFile('samples/star.png', { method: 'all', out: 'wgcam-out' });
 *
 * @example
 * import { createNodeDevice } from '@wgcam/node-adapter';
 * import { CamEngine } from '@wgcam/core';
 * const { device, destroy } = await createNodeDevice();
 * const engine = new CamEngine(device);
 */
export { adapterKind, createNodeDevice, SWIFTSHADER_ICD } from './device.js';
export type { AdapterKind, NodeAdapterReport, NodeDevice, NodeDeviceOptions } from './device.js';
export { explainFile, explainImage, explainFiles, closeExplainSessions } from './explain/shared-sessions.js';
export { ExplainSession } from './explain/session.js';
export { BUNDLED_MODEL, BUNDLED_SAMPLES } from './explain/bundled.js';
export { faithfulnessOfFiles } from './explain/metrics.js';
export type { FileMethodMetrics, FileMetricsOptions, FileMetricsReport } from './explain/metrics.js';
export type { BatchOptions, ImageExplanation, ImageReport, ModelOptions, RunOptions, StageTimings } from './explain/types.js';
export { BackendConflictError, BackendUnavailableError, NoGpuAdapterError, OutputError } from './errors.js';
export { readNpy, writeNpy, NpyFormatError } from './io/npy.js';
export type { NpyArray } from './io/npy.js';
export { decodeImage, encodePng, readImage, ImageFormatError, MAX_IMAGE_PIXELS } from './io/images.js';
export type { RgbaImage } from './io/images.js';
export { writeFileAtomic } from './io/atomic-write.js';
export { createNodeGpu } from './device.js';
export type { NodeGpu } from './device.js';
export { useTfjsWebGpu } from './tfjs-backend.js';
export { useTfjsWasm, wasmCapabilities, wasmBinaryFolder } from './tfjs-wasm.js';
export type { WasmBackendInfo } from './tfjs-wasm.js';
export { MODEL_BACKENDS, chooseBackend, checkModelBackend, isModelBackend } from './model-backend.js';
export type { BackendChoice, ModelBackend, ResolvedBackend } from './model-backend.js';
export { openModelRuntime, probeAdapter } from './model-runtime.js';
export type { ModelRuntime, ModelRuntimeOptions } from './model-runtime.js';
export { loadModel, fileHandler } from './model-loader.js';
