#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { COLORMAP_NAMES, METHOD_NAMES, WgcamError } from '@wgcam/core';
import { computeCommand, type ComputeCommandOptions } from './compute-command.js';
import { devicesCommand } from './devices-command.js';
import { explainCommand, type ExplainCommandOptions } from './explain-command.js';
import { MODEL_BACKENDS } from '../model-backend.js';
import { parseClassList, parseNumberIn, parseSize } from './parse.js';

function fail(error: unknown): never {
  if (error instanceof WgcamError) {
    process.stderr.write(`wgcam: ${error.message}\n`);
  } else {
    process.stderr.write(`wgcam: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}

function action<T>(run: (options: T) => Promise<void>): (options: T) => Promise<void> {
  return async (options) => {
    try {
      await run(options);
    } catch (error) {
      fail(error);
    }
  };
}

const program = new Command();
program
  .name('wgcam')
  .description('Class activation maps (CAM, Grad-CAM, Grad-CAM++, Score-CAM, ...) computed by WebGPU compute shaders')
  .showHelpAfterError();

program
  .command('devices')
  .description('show the WebGPU adapter wgcam uses and its limits')
  .option('--json', 'print JSON')
  .option('--software', 'use the SwiftShader software adapter even when a GPU exists')
  .action(action(devicesCommand));

program
  .command('compute')
  .description('compute heatmaps from NumPy .npy activations and gradients (NHWC float32), e.g. from a PyTorch or ONNX model')
  .addOption(new Option('--method <name>', 'CAM method').choices(METHOD_NAMES).makeOptionMandatory())
  .requiredOption('--activations <A.npy>', 'target-layer activations, [B, h, w, C]')
  .option('--gradients <G.npy>', 'gradients of the target score w.r.t. the activations, [B, h, w, C] or [B, K, h, w, C]')
  .option('--weights <W.npy>', 'CAM: the dense kernel after global average pooling, [C, classes]')
  .option('--scores <S.npy>', 'Score-CAM: logits of every masked input, [B·C, classes], (b, c) order')
  .option('--input-size <HxW>', 'Score-CAM: the model input size the masks were upsampled to', parseSize)
  .addOption(new Option('--variant <name>', 'Score-CAM weighting').choices(['probability', 'channel-softmax']))
  .option('--class <K>', 'CAM / Score-CAM: class index to explain, or K1,K2,... for several', parseClassList)
  .option('--size <HxW>', 'heatmap size (default: feature resolution h×w)', parseSize)
  .option('--image <img.png>', 'draw an overlay on this image (PNG, JPEG, WebP, AVIF, GIF, TIFF; written beside --out as .png)')
  .addOption(new Option('--colormap <name>', 'overlay colormap').choices(COLORMAP_NAMES).default('jet'))
  .option('--alpha <a>', 'overlay opacity in [0, 1]', parseNumberIn(0, 1), 0.5)
  .requiredOption('--out <heatmap.npy>', 'where to write the heatmap (.npy, float32)')
  .option('--software', 'use the SwiftShader software adapter even when a GPU exists')
  .action(action<ComputeCommandOptions>(computeCommand));

program
  .command('explain')
  .description('explain a TF.js model\'s predictions on images (PNG, JPEG, WebP, AVIF, GIF, TIFF; files or folders): overlays, heatmaps, panels')
  .argument('[images...]', 'images or folders (default: the bundled samples)')
  .option('--model <model.json>', 'TF.js LayersModel or GraphModel (default: the bundled shapes model)')
  .option('--labels <labels.json>', 'class names (default: labels.json beside the model, if any)')
  .addOption(new Option('--method <name>', 'CAM method, or all for a side-by-side panel').choices([...METHOD_NAMES, 'all']).default('gradcam'))
  .option('--layer <name>', 'target layer or node (default: the last 4-D one)')
  .option('--target <K|label|topK>', 'class to explain: index, label, or topK (default: top1)')
  .addOption(new Option('--colormap <name>', 'overlay colormap').choices(COLORMAP_NAMES).default('jet'))
  .option('--alpha <a>', 'overlay opacity in [0, 1]', parseNumberIn(0, 1), 0.5)
  .option('--size <WxH>', 'heatmap size, width x height (default: the image size)', (text: string) => {
    const { height, width } = parseSize(text);
    return { height: width, width: height };
  })
  .option('--out <dir>', 'output folder', 'wgcam-out')
  .option('--json', 'print one JSON object per image instead of the table')
  .option('--batch <N>', 'images per GPU batch', parseNumberIn(1, 1024), 8)
  .option('--npy', 'also write each heatmap as .npy (float32)')
  .option('--gray-png', 'also write each heatmap as a gray PNG')
  .option('--background <color>', 'colour transparent pixels are composited onto for the model: #rrggbb, #rgb, r,g,b, white, black or gray', 'white')
  .option('--software', 'use the SwiftShader software adapter even when a GPU exists')
  .addOption(
    new Option('--backend <name>', 'TF.js backend for the model: auto (webgpu on a hardware GPU, wasm on a software adapter), webgpu, wasm or cpu')
      .choices(MODEL_BACKENDS)
      .default('auto'),
  )
  .action(async (images: string[], options: ExplainCommandOptions) => {
    try {
      await explainCommand(images, options);
    } catch (error) {
      fail(error);
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof InvalidArgumentError) process.exit(2);
  fail(error);
});
