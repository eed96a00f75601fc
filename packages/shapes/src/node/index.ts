/**
 * Node-only helpers of @wgcam/shapes: model files on disk, the LayersModel → graph-model
 * exporter, y4m video files and the TF.js WebGPU backend on Dawn.
 */
export { fileSystemLoader, fileSystemSaver, writeModelArtifacts, concatWeightData } from './fs-io-handler.js';
export { layersToGraphModel, type GraphModelNodeNames } from './layers-to-graph-model.js';
export { writeY4m, type WriteY4mOptions } from './write-y4m.js';
export { initTfjsWebGpuBackend } from './webgpu-backend.js';
