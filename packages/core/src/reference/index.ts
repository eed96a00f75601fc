/**
 * Float64 reference implementations of every wgcam kernel, for tests and cross-checks.
 *
 * @example
 * import { referenceHeatmaps } from '@wgcam/core/reference';
 * const { heatmap } = referenceHeatmaps({ method: 'gradcam++', activations, gradients });
 */
export { camWeights, gradcamppWeights, gradcamWeights, xgradcamWeights } from './weights.js';
export { elementwiseSumRelu, mapRanges, normalizeMaps, weightedSumRelu } from './maps.js';
export { bilinearTap, sampleBilinear, upsampleBilinear } from './resample.js';
export { colormapOverlay } from './overlay.js';
export { ablationInputs, channelSelection, channelVariances, maskNoise, scoreFamilyMasks, scoreFamilyWeights, scoreRanges } from './score-methods.js';
export type { ChannelSelection } from './score-methods.js';
export { normalizedHeat, referenceHeatmaps, referenceOverlay } from './pipeline.js';
export { centredMatrix, eigenGapRatios, eigenProjections, gramMatrix, topEigenpair, REFERENCE_EIGEN_MAX_ITERATIONS, REFERENCE_EIGEN_TOLERANCE } from './eigen.js';
export type { EigenProjections } from './eigen.js';
export * from './method-maps.js';
export type { ReferenceStages } from './pipeline.js';
export { byteDifferences, relativeL2 } from './compare.js';
export { linearImpute, mapRanks, metricScores, pcgHash, percentileLinear, perturbedInputs, referenceFaithfulness, roadGaussian, roadKeep } from './faithfulness.js';
export type { MetricInputDims } from './faithfulness.js';
export { averageAugmentations, fuseLayerMaps, referenceFused } from './fused.js';
export type { ReferenceFused } from './fused.js';
