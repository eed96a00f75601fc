// The command-line options of the methods (Score-CAM's variant, Faster Score-CAM's channel
// count, SS-CAM's, IS-CAM's and Smooth Grad-CAM++'s samples, SS-CAM's and Smooth
// Grad-CAM++'s noise, eigen smoothing), shared by `wgcam explain` and `wgcam compute`.
import { Option, type Command } from 'commander';
import { SCORECAM_VARIANTS, type ScoreCamVariant, type ScoreMethodOptions } from '@wgcam/core';
import type { SmoothGradOptions } from '@wgcam/core/tfjs';
import { parseNumberIn } from './parse.js';

/** The parsed flags, as commander gives them. */
export interface ScoreFlags {
  variant?: ScoreCamVariant;
  maxChannels?: number;
  numSamples?: number;
  std?: number;
  seed?: number;
  eigenSmooth?: boolean;
}

/**
 * Adds --variant, --max-channels, --num-samples, --std, --seed and --eigen-smooth to a command.
 *
 * @example
 * addScoreOptions(program.command('explain'));
 */
export function addScoreOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--variant <name>', "Score-CAM / Faster Score-CAM weighting: probability (the authors' code), channel-softmax (pytorch-grad-cam's, exactly), baseline (torch-cam's)").choices(
        SCORECAM_VARIANTS as string[],
      ),
    )
    .option('--max-channels <N>', 'Faster Score-CAM: channels masked per image, those of largest spatial variance (default 10)', parseNumberIn(1, 1e9))
    .option('--num-samples <N>', 'SS-CAM (default 35) / IS-CAM (default 10) / Smooth Grad-CAM++ (default 4): samples averaged', parseNumberIn(1, 1e6))
    .option('--std <s>', 'SS-CAM: standard deviation of the noise added to each mask (default 2); Smooth Grad-CAM++: of the noise added to the model input (default 0.3)', parseNumberIn(0, 1e6))
    .option('--seed <n>', 'SS-CAM and Smooth Grad-CAM++: seed of the noise (default 0)', parseNumberIn(0, 0xffffffff))
    .option('--eigen-smooth', "gradient methods (gradcam, gradcam++, xgradcam, layercam, hirescam, gradcamelementwise, smoothgradcampp): map = first principal component projection of the summed terms instead of their sum (pytorch-grad-cam's eigen_smooth)");
}

/**
 * The ScoreMethodOptions the flags give (only those set).
 *
 * @example
 * const scoreCam = scoreOptionsOf(options); // { variant: 'baseline' }
 */
export function scoreOptionsOf(flags: ScoreFlags): ScoreMethodOptions {
  return {
    ...(flags.variant !== undefined ? { variant: flags.variant } : {}),
    ...(flags.maxChannels !== undefined ? { maxChannels: flags.maxChannels } : {}),
    ...(flags.numSamples !== undefined ? { numSamples: flags.numSamples } : {}),
    ...(flags.std !== undefined ? { std: flags.std } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  };
}

/**
 * Smooth Grad-CAM++'s options the flags give (only those set).
 *
 * @example
 * const smoothGrad = smoothGradOptionsOf(options); // { numSamples: 8, std: 0.2 }
 */
export function smoothGradOptionsOf(flags: ScoreFlags): SmoothGradOptions {
  return {
    ...(flags.numSamples !== undefined ? { numSamples: flags.numSamples } : {}),
    ...(flags.std !== undefined ? { std: flags.std } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  };
}
