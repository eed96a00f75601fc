import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { io } from '@tensorflow/tfjs';

/**
 * Concatenates TF.js weight data (one ArrayBuffer or a list of them, as TF.js ≥ 4.10 may
 * produce) into a single ArrayBuffer.
 */
export function concatWeightData(data: io.WeightData): ArrayBuffer {
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/**
 * An IOHandler that loads a TF.js model (layers or graph format) from a model.json path on
 * the local file system, reading every weight file its manifest names. TF.js without
 * tfjs-node has no file:// support; this fills that gap with plain `fs` and no TF.js runtime
 * import, so it works with any backend.
 *
 * @example
 * const model = await tf.loadLayersModel(fileSystemLoader('models/shapes-cnn/model.json'));
 * const graph = await tf.loadGraphModel(fileSystemLoader('models/shapes-cnn-graph/model.json'));
 */
export function fileSystemLoader(modelJsonPath: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as io.ModelJSON;
      if (json.modelTopology == null) throw new Error(`${modelJsonPath}: no modelTopology`);
      const weightSpecs: io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) buffers.push(readFileSync(join(dirname(modelJsonPath), path)));
      }
      const artifacts: io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: concatWeightData(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)),
        format: json.format ?? '',
        generatedBy: json.generatedBy ?? '',
        convertedBy: json.convertedBy ?? null,
      };
      if (json.trainingConfig != null) artifacts.trainingConfig = json.trainingConfig;
      if (json.signature != null) artifacts.signature = json.signature;
      if (json.userDefinedMetadata != null) artifacts.userDefinedMetadata = json.userDefinedMetadata;
      if (json.modelInitializer != null) artifacts.modelInitializer = json.modelInitializer;
      return artifacts;
    },
  };
}

/**
 * Writes model artifacts as `<dir>/model.json` plus one weight file (default
 * `weights.bin`) in the standard TF.js layout, the counterpart of {@link fileSystemLoader}.
 *
 * @example
 * await model.save(fileSystemSaver('models/shapes-cnn'));
 */
export function fileSystemSaver(dir: string, weightsFileName = 'weights.bin'): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      writeModelArtifacts(dir, artifacts, weightsFileName);
      const weightData = artifacts.weightData == null ? new ArrayBuffer(0) : concatWeightData(artifacts.weightData);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },
  };
}

/**
 * Synchronous core of {@link fileSystemSaver}: writes model.json and the weight file.
 *
 * @example
 * writeModelArtifacts('models/shapes-cnn-graph', graphArtifacts);
 */
export function writeModelArtifacts(dir: string, artifacts: io.ModelArtifacts, weightsFileName = 'weights.bin'): void {
  if (artifacts.modelTopology == null) throw new Error('writeModelArtifacts: artifacts have no modelTopology');
  const weightData = artifacts.weightData == null ? new ArrayBuffer(0) : concatWeightData(artifacts.weightData);
  const json: io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? '',
    generatedBy: artifacts.generatedBy ?? '',
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, weightsFileName), new Uint8Array(weightData));
}
