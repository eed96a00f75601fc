// The command-line options of the score-based methods (Score-CAM's variant, Faster
// Score-CAM's channel count, SS-CAM's and IS-CAM's samples, SS-CAM's noise), shared by
// `wgcam explain` and `wgcam compute`.
import { Option, type Command } from 'commander';
import { SCORECAM_VARIANTS, type ScoreCamVariant, type ScoreMethodOptions } from '@wgcam/core';
import { parseNumberIn } from './parse.js';

/** The parsed flags, as commander gives them. */
export interface ScoreFlags {
  variant?: ScoreCamVariant;
  maxChannels?: number;
  numSamples?: number;
  std?: number;
  seed?: number;
}

/**
 * Adds --variant, --max-channels, --num-samples, --std and --seed to a command.
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
    .option('--num-samples <N>', 'SS-CAM (default 35) / IS-CAM (default 10): samples averaged', parseNumberIn(1, 1e6))
    .option('--std <s>', 'SS-CAM: standard deviation of the noise added to each mask (default 2)', parseNumberIn(0, 1e6))
    .option('--seed <n>', 'SS-CAM: seed of the noise (default 0)', parseNumberIn(0, 0xffffffff));
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
