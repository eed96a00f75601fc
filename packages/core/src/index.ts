/**
 * wgcam core: class activation maps computed by WebGPU compute shaders on a GPUDevice
 * the caller owns. Adapters (Node, browser) create devices; this package never does.
 *
 * @example
 * import { CamEngine } from '@wgcam/core';
 * const engine = new CamEngine(device);
 * const result = engine.compute({ method: 'gradcam++', activations, gradients, size: { height: 224, width: 224 } });
 * const heatmap = await result.readHeatmap();
 */
export { CamEngine } from './engine.js';
export type { CamEngineOptions, ComputeOptions, ManyComputeOptions, MethodSpec, Normalization, OverlayImage, OverlayOptions, OutputRequest, RawMapEncoder, ScoreCamScores } from './engine.js';
export { NORMALIZATIONS, isNormalization } from './output-plan.js';
export { FUSE_MODES, isFuseMode } from './fused-stages.js';
export type { FuseMode } from './fused-stages.js';
export { AUG_SMOOTH_FLIPS, fusableMethods } from './fused-plan.js';
export type { AugmentSpec, FusedComputeOptions, LayerTensors } from './fused-plan.js';
export { ScoreCamSession } from './scorecam-session.js';
export type { ScoreCamSessionOptions } from './scorecam-session.js';
export { CamResult } from './result.js';
export { CamResults } from './compute-many.js';
export type { CamOutputs } from './result.js';
export { METHODS, METHOD_NAMES, isMethodName, methodsInAll, methodsNeeding } from './methods.js';
export { SCORECAM_VARIANTS, maskedChannels, scorePasses, scorePlan } from './score-plan.js';
export type { ScoreMethodOptions, ScorePlan } from './score-plan.js';
export type { ScoreMethodName } from './scorecam-session.js';
export type { ElementwiseProduct, GradientWeightsKernel, MethodEncoding, MethodInfo, MethodInput, MethodName, MethodOption, ProjectionSource } from './methods.js';
export { EIGEN_FLOOR, EIGEN_MAX_ITERATIONS, EIGEN_STOPPING, EIGEN_TOLERANCE } from './eigen-stages.js';
export type { EigenStopping } from './eigen-stages.js';
export { COLORMAP_NAMES, colormapTable, isColormapName } from './colormaps.js';
export type { ColormapName } from './colormaps.js';
export type { FeatureDims, Size2D, TargetSpec, TensorData, TensorSource } from './inputs.js';
export type { ScoreCamVariant } from './score-plan.js';
export type { ModelInputDims } from './inputs.js';
export type { PoolStats } from './gpu/buffer-pool.js';
export { DEFAULT_BINDING_LIMIT } from './gpu/binding-cache.js';
export { setGpuWait } from './gpu/gpu-wait.js';
export type { GpuWait } from './gpu/gpu-wait.js';
export { isSoftwareAdapter } from './gpu/software-adapter.js';
export type { AdapterFacts } from './gpu/software-adapter.js';
export { CancelledError, DeviceLimitError, GpuError, InvalidInputError, NonFiniteInputError, ShapeError, throwIfCancelled, WgcamError } from './errors.js';
export type { CancelSignal, NonFiniteSource } from './errors.js';
export { energyInside, heatmapPeak, pointingGameHit } from './metrics.js';
export { FaithfulnessSession } from './faithfulness-session.js';
export type { FaithfulnessSessionOptions } from './faithfulness-session.js';
export { averageFaithfulness, curveArea, planFaithfulness, resolveFaithfulnessOptions, roadPositions, roadSolverSettings, summarizeFaithfulness, ROAD_PERCENTILES } from './faithfulness-plan.js';
export type { FaithfulnessOptions, FaithfulnessPlan, FaithfulnessScore, FaithfulnessScores, FaithfulnessSummary, PerturbationKind, PlanSegment, ResolvedFaithfulnessOptions } from './faithfulness-plan.js';
export { BufferUsage, MapMode, STORAGE_USAGE } from './gpu/flags.js';
