#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { COLORMAP_NAMES, FUSE_MODES, METHOD_NAMES, NORMALIZATIONS, WgcamError, methodsInAll } from '@wgcam/core';
import { computeCommand, type ComputeCommandOptions } from './compute-command.js';
import { devicesCommand } from './devices-command.js';
import { explainCommand, type ExplainCommandOptions } from './explain-command.js';
import { MODEL_BACKENDS } from '../model-backend.js';
import { PREPROCESS_PRESET_NAMES } from '@wgcam/core/tfjs';
import { layersCommand, type LayersCommandOptions } from './layers-command.js';
import { registerMetricsCommand } from './metrics-command.js';
import { parseClassList, parseMethods, parseNumberIn, parsePreprocessArgument, parseSize } from './parse.js';
import { addScoreOptions } from './score-options.js';

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

const computeProgram = program
  .command('compute')
  .description('compute heatmaps from NumPy .npy activations and gradients (NHWC float32), e.g. from a PyTorch or ONNX model')
  .addOption(new Option('--method <name>', 'CAM method').choices(METHOD_NAMES).makeOptionMandatory())
  .requiredOption('--activations <A.npy[,A2.npy...]>', 'target-layer activations, [B, h, w, C]; several layers comma-separated (their maps are fused, see --fuse)')
  .option('--gradients <G.npy>', "gradients of the target score w.r.t. the activations, [B, h, w, C] or [B, K, h, w, C] (smoothgradcampp: N noisy copies' gradients stacked sample-major, [N·B, ...]); several layers comma-separated, in --activations' order")
  .option('--weights <W.npy>', 'CAM: the dense kernel after global average pooling, [C, classes]')
  .option('--scores <S.npy>', 'score-based methods: logits of every pass, [passes, classes]: sample, then image, then channel (Faster Score-CAM: its N channels of largest variance, largest first; Ablation-CAM: the head on A with that channel zeroed)')
  .option('--input-size <WxH>', 'Score-CAM family: the model input size the masks were upsampled to, width x height', parseSize)
  .option('--baseline <L.npy>', 'logits of the unmasked input, [B, classes]: Score-CAM --variant baseline, SS-CAM, IS-CAM, Ablation-CAM')
  .option('--class <K>', 'CAM / Score-CAM: class index to explain, or K1,K2,... for several', parseClassList)
  .option('--size <WxH>', 'heatmap size, width x height as in wgcam explain (default: the feature resolution)', (text: string) => {
    const size = parseSize(text);
    // Until this version compute read HxW; a non-square size from an old script would come out transposed.
    if (size.width !== size.height) process.stderr.write(`wgcam compute: --size ${text} is ${size.width} wide and ${size.height} high (width x height, as in wgcam explain; compute read height x width before)\n`);
    return size;
  })
  .option('--image <img.png>', 'draw an overlay on this image (PNG, JPEG, WebP, AVIF, GIF, TIFF; written beside --out as .png)')
  .addOption(new Option('--colormap <name>', 'overlay colormap').choices(COLORMAP_NAMES).default('jet'))
  .option('--alpha <a>', 'overlay opacity in [0, 1]', parseNumberIn(0, 1), 0.5)
  .addOption(new Option('--normalize <where>', 'min-max normalise each map at the output size after resizing (output, as pytorch-grad-cam and tf-keras-vis) or at the feature map\'s size before it (feature)').choices(NORMALIZATIONS).default('output'))
  .requiredOption('--out <heatmap.npy>', 'where to write the heatmap (.npy, float32)')
  .option('--software', 'use the SwiftShader software adapter even when a GPU exists')
  .addOption(new Option('--fuse <mode>', 'several layers (comma-separated --activations and --gradients, same order): combine their normalised, resized maps by their mean (as pytorch-grad-cam) or max (as torch-cam), then normalise').choices(FUSE_MODES))
  .option('--aug-smooth', "the batch holds each image's six aug_smooth copies in pytorch-grad-cam's order (unflipped ×0.9, ×1, ×1.1, then flipped): their maps are flipped back and averaged");
addScoreOptions(computeProgram).action(action<ComputeCommandOptions>(computeCommand));

program
  .command('layers')
  .description('list the layers of a model that CAM methods can explain: name, output shape, the automatic one, refused ones and why')
  .option('--model <model.json|folder>', 'TF.js LayersModel or GraphModel (default: the bundled shapes model)')
  .option('--input-size <WxH>', 'input size to list a model with a dynamic input at', parseSize)
  .option('--all', 'also list layers that cannot be explained, with the reason')
  .option('--json', 'print JSON')
  .action(action<LayersCommandOptions>(layersCommand));

const explainProgram = program
  .command('explain')
  .description('explain a TF.js model\'s predictions on images (PNG, JPEG, WebP, AVIF, GIF, TIFF; files or folders): overlays, heatmaps, panels')
  .argument('[images...]', 'images or folders (default: the bundled samples)')
  .option('--model <model.json|folder>', 'TF.js LayersModel or GraphModel (default: the bundled shapes model); a folder means its model.json')
  .option('--labels <file|imagenet>', 'class names: a JSON array, Keras class index, text file (one per line) or imagenet (default: wgcam.json / metadata.json / labels.json beside the model)')
  .addOption(new Option('--preprocess <preset|spec>', `pixel preprocessing: ${PREPROCESS_PRESET_NAMES.join(', ')}, or scale=S[,S,S];offset=O[,O,O][;order=bgr] (default: the model folder's wgcam.json / metadata.json, else unit = x/255)`).argParser(parsePreprocessArgument))
  .option('--input-size <WxH>', 'model input size for a model with a dynamic input (default: each image\'s own size)', parseSize)
  .option(
    '--method <name[,name...]|all>',
    `CAM method, a comma-separated list, or all (several give a side-by-side panel): ${METHOD_NAMES.join(', ')}; all leaves out ${METHOD_NAMES.filter((m) => !methodsInAll().includes(m)).join(', ')} (they multiply the model's passes by numSamples: name them to run them)`,
    parseMethods,
    'gradcam',
  )
  .option('--layer <name[,name...]>', 'target layer: Keras name, path inside nested models (model1/out_relu) or graph node (default: the last spatial map before the head; see wgcam layers); several, comma-separated, fuse their maps (see --fuse)')
  .addOption(new Option('--fuse <mode>', 'several layers: combine their normalised, resized maps by their mean (as pytorch-grad-cam) or max (as torch-cam), then normalise').choices(FUSE_MODES))
  .option('--aug-smooth', "test-time augmentation smoothing as pytorch-grad-cam's aug_smooth: the image unflipped and flipped, times 0.9, 1 and 1.1, batched through the model; the maps flipped back and averaged")
  .option('--target <K|label|topK>', 'class to explain: index, label, or topK (default: top1)')
  .addOption(new Option('--colormap <name>', 'overlay colormap').choices(COLORMAP_NAMES).default('jet'))
  .option('--alpha <a>', 'overlay opacity in [0, 1]', parseNumberIn(0, 1), 0.5)
  .addOption(new Option('--normalize <where>', 'min-max normalise each map at the output size after resizing (output, as pytorch-grad-cam and tf-keras-vis) or at the feature map\'s size before it (feature)').choices(NORMALIZATIONS).default('output'))
  .option('--size <WxH>', 'heatmap size, width x height (default: the image size)', parseSize)
  .option('--out <dir>', 'output folder', 'wgcam-out')
  .option('--json', 'print one JSON object per image instead of the table')
  .option('--batch <N>', 'images per GPU batch', parseNumberIn(1, 1024), 8)
  .option('--npy', 'also write each heatmap as .npy (float32)')
  .option('--gray-png', 'also write each heatmap as a gray PNG')
  .option('--background <color>', 'colour transparent pixels are composited onto for the model: #rrggbb, #rgb, r,g,b, white, black or gray', 'white')
  .option('--profile', 'wait for the GPU between stages so the model / cam / read times are exact (costs a few waits per batch)')
  .option('--software', 'use the SwiftShader software adapter even when a GPU exists')
  .addOption(
    new Option('--backend <name>', 'TF.js backend for the model: auto (webgpu on a hardware GPU, wasm on a software adapter), webgpu, wasm or cpu')
      .choices(MODEL_BACKENDS)
      .default('auto'),
  );
addScoreOptions(explainProgram).action(async (images: string[], options: ExplainCommandOptions) => {
    try {
      await explainCommand(images, options);
    } catch (error) {
      fail(error);
    }
  });

registerMetricsCommand(program, fail);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof InvalidArgumentError) process.exit(2);
  fail(error);
});
