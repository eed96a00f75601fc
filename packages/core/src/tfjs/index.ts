/**
 * wgcam for TensorFlow.js models: split a LayersModel or GraphModel at its target layer,
 * compute gradients with tf.grad, and hand the tensors' GPU buffers to the engine.
 *
 * @example
 * import { explain } from '@wgcam/core/tfjs';
 * const result = await explain({ model, image: { data: rgba, width: 64, height: 64 }, method: 'gradcam++' });
 */
export { Explainer, explain } from './explainer.js';
export type { ExplainableModel, ExplainerOptions, ExplainOptions, ExplainRequest, Explanation, ExplanationItem, ExplainTimings, Prediction, WorkProgress } from './explainer.js';
export type { ExplainManyRequest, ManyExplanations, ModelPasses } from './explain-methods.js';
export type { SmoothGradOptions } from './noisy-gradients.js';
export { GradientError, ModelError, ModelLoadError, TfjsVersionError } from './errors.js';
export { splitLayersModel, spatialLayerNames, listLayersModelLayers } from './split-layers.js';
export { splitMulti, fromSplit } from './split-multi.js';
export type { MultiSplit } from './split-multi.js';
export { AUG_SMOOTH, augmentInputs } from './augment.js';
export type { SplitOptions } from './split-layers.js';
export { splitGraphModel, listGraphModelLayers, probeShapes } from './split-graph.js';
export { inferGraphShapes } from './graph-shapes.js';
export { listLayers } from './list-layers.js';
export type { LayerInfo } from './layer-names.js';
export { closestNames } from './layer-names.js';
export type { SplitModel } from './split-model.js';
export { fixedInputShape } from './split-model.js';
export { toModelInput, UNIT_SCALE, imageSize } from './images.js';
export type { ImageInput, RgbaPixels } from './images.js';
export { PREPROCESS_PRESETS, PREPROCESS_PRESET_NAMES, describePreprocess, isPreprocessPreset, parsePreprocess, resolvePreprocess } from './preprocess.js';
export type { ChannelTransform, Preprocess, PreprocessPreset } from './preprocess.js';
export type { TargetRequest } from './targets.js';
export { bridgeTensor, bridgeCounters, backendDevice, flushBackend } from './tensor-bridge.js';
export { fixWasmMaxPoolGrad } from './wasm-maxpool-grad.js';
export { evaluateLocalization, localizationTable } from './localization.js';
export type { LabelledImage, LocalizationScore } from './localization.js';
export { evaluateFaithfulness, measureFaithfulness } from './faithfulness.js';
export type { EvaluateFaithfulnessOptions, MeasureFaithfulnessOptions, MethodFaithfulness } from './faithfulness.js';
export type { FaithfulnessRunOptions } from './faithfulness-runner.js';
export { translateKerasTopology, translateModelArtifacts, withKerasCompat, isGraphTopology, registerKerasLayers, KerasNormalization, KERAS_EPSILON, CustomScaleLayer, GRAPH_MODEL_ADVICE } from './keras-compat/index.js';
export type { KerasNormalizationArgs, CustomScaleLayerArgs } from './keras-compat/index.js';
export { parseModelSidecar, parseTeachableMachineMetadata, SIDECAR_FILE, TEACHABLE_MACHINE_FILE } from './sidecar.js';
export type { ModelSidecar } from './sidecar.js';
