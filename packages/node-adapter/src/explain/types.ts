import type { ColormapName, MethodName, Normalization, Size2D } from '@wgcam/core';
import type { CancelSignal } from '@wgcam/core';
import type { ExplainableModel, ExplanationItem, ExplainRequest, Prediction, Preprocess, TargetRequest, WorkProgress } from '@wgcam/core/tfjs';
import type { ModelBackend } from '../model-backend.js';

/** Which model to explain, and how to cut it. */
export interface ModelOptions {
  /** model.json path (LayersModel or GraphModel) or a loaded model; default: the bundled shapes model. */
  readonly model?: string | ExplainableModel;
  /**
   * Class names, or where to read them: a JSON array, Keras's class index, a text file with
   * one name per line, or 'imagenet'. Default: the model folder's wgcam.json or
   * metadata.json (Teachable Machine), else labels.json beside the model, if any.
   */
  readonly labels?: string | readonly string[];
  /**
   * Target layer: a Keras layer name, a path inside nested models (`model1/out_relu`), or
   * a graph node. Default: the last spatial feature map before the head that is not pooled.
   * Several layers separated by commas (`conv2,last_conv`) fuse their maps (RunOptions.fuse).
   */
  readonly layer?: string;
  /**
   * Pixel preprocessing the model expects: 'unit' (x/255), 'tf' ([-1, 1]), 'caffe' (BGR,
   * ImageNet means), 'torch' (ImageNet mean/std), 'raw' (0–255), or { scale, offset,
   * channelOrder }. Default: the model folder's wgcam.json / metadata.json, else 'unit'.
   */
  readonly preprocess?: Preprocess;
  /** Input size for a model whose input height/width are dynamic; default: each image's own size. */
  readonly inputSize?: Size2D;
  /** Use the SwiftShader software adapter even when a GPU exists (first call in the process decides). */
  readonly software?: boolean;
  /**
   * TF.js backend for the model pass: 'auto' (default: webgpu with a hardware GPU adapter,
   * zero copy; wasm with only a software adapter, the maps still on WebGPU), 'webgpu',
   * 'wasm' or 'cpu'. One backend per process (tf.setBackend is global): while a session is
   * open, a session asking for another backend throws BackendConflictError.
   */
  readonly backend?: ModelBackend;
}

/** What to compute for each image and which files to write. */
export interface RunOptions {
  /** One method, several, or 'all' (the default is 'gradcam'). */
  readonly method?: MethodName | 'all' | readonly MethodName[];
  /** Class to explain for every image: 'top1' (default), an index, a label, or { topK }. */
  readonly target?: Exclude<TargetRequest, readonly unknown[]>;
  readonly colormap?: ColormapName;
  /**
   * Min-max normalisation of each map: 'output' (default) after resizing it to the output
   * size, as pytorch-grad-cam and tf-keras-vis do (maximum 1); 'feature' at the feature
   * map's resolution before resizing. The same when the output is the feature map's size.
   */
  readonly normalize?: Normalization;
  /** Overlay opacity in [0, 1]; default 0.5. */
  readonly alpha?: number;
  /** Heatmap size; default: the image's size. */
  readonly size?: Size2D;
  /** Output folder; nothing is written without it. */
  readonly out?: string;
  /** Also write each heatmap as .npy (float32). */
  readonly npy?: boolean;
  /** Also write each heatmap as a gray PNG. */
  readonly grayPng?: boolean;
  /** Write the side-by-side panel of every method; default: when more than one method runs. */
  readonly panel?: boolean;
  /** Wait for the GPU between stages so the model / cam / readback times are exact (a few queue waits per batch); default false: no waits, the GPU's time lands in readback. */
  readonly profile?: boolean;
  /** Stops the run: images not yet explained are reported as not done (CancelledError); files written so far are complete. */
  readonly signal?: CancelSignal;
  /** Options of the score-based methods (Score-CAM's variant, Faster Score-CAM's maxChannels, SS-CAM's numSamples / std / seed, IS-CAM's numSamples, batchSize). */
  readonly scoreCam?: ExplainRequest['scoreCam'];
  /** Smooth Grad-CAM++'s numSamples / std / seed. */
  readonly smoothGrad?: ExplainRequest['smoothGrad'];
  /** Eigen smoothing (pytorch-grad-cam's eigen_smooth) of the requested methods that take it. */
  readonly eigenSmooth?: boolean;
  /** Several layers (ModelOptions.layer 'a,b'): combine their maps by their 'mean' (default) or 'max'. */
  readonly fuse?: ExplainRequest['fuse'];
  /** Test-time augmentation smoothing (pytorch-grad-cam's aug_smooth): six flipped and scaled copies of each image, maps flipped back and averaged. */
  readonly augSmooth?: boolean;
  /** Progress of long work inside an image (Score-CAM's masked forward passes), with the files being explained. */
  readonly onWork?: (progress: WorkProgress & { readonly files: readonly string[] }) => void;
  /** Colour transparent pixels are composited onto before the model sees them: '#rrggbb', '#rgb', 'r,g,b', white, black, gray, or [r, g, b]; default white. */
  readonly background?: string | readonly [number, number, number];
}

/** Options of the batch entry: images go through the GPU `batch` at a time. */
export interface BatchOptions extends RunOptions {
  /** Images per GPU batch; default 8. The next batch is decoded while one runs. */
  readonly batch?: number;
  /** Called once with the number of images found in the paths, before any is explained. */
  readonly onStart?: (total: number) => void;
  /** Called once per image as soon as its outputs are written (or it failed); a throw or a rejected promise fails the call after the batch. */
  readonly onProgress?: (report: ImageReport) => unknown;
}

/** Milliseconds per stage for one image: the model pass that all methods share counted once, CAM kernels summed over methods. */
export interface StageTimings {
  decode: number;
  preprocess: number;
  model: number;
  cam: number;
  readback: number;
  /** CPU time spent encoding this image's PNG / .npy files and panel (file writes overlap other work). */
  encode: number;
}

/** What happened to one image; the same fields `wgcam explain --json` prints. */
export interface ImageReport {
  file: string;
  ok: boolean;
  error?: string;
  class?: number;
  label?: string;
  probability?: number;
  /** The class the first method's first heatmap explains (the top-1 class unless a target was given). */
  target?: { class: number; label?: string };
  /** Maximum of that heatmap, in heatmap pixels. */
  argmax?: { x: number; y: number };
  /** Methods that do not apply to this model (CAM without a GAP → dense head), with why. */
  skipped?: { method: MethodName; reason: string }[];
  /** The layer the maps were taken at (Keras name or path). */
  layer?: string;
  /** Milliseconds of each method's own work for this image: its kernels and its own model passes (Score-CAM's). */
  methodTimes?: Partial<Record<MethodName, number>>;
  /** How the layer's map was obtained when a converter rewrote it. */
  layerNote?: string;
  outputs: string[];
  timings: StageTimings;
}

/** One image explained, with its heatmaps and overlays in memory. */
export interface ImageExplanation extends ImageReport {
  ok: true;
  class: number;
  probability: number;
  /** Top-5 predictions. */
  predictions: readonly Prediction[];
  layer: string;
  automaticLayer: boolean;
  imageSize: Size2D;
  heatmapSize: Size2D;
  /** Per method, one item per explained class (heatmap, and overlay at the image's size). */
  methods: { method: MethodName; items: readonly ExplanationItem[] }[];
}

export function emptyTimings(): StageTimings {
  return { decode: 0, preprocess: 0, model: 0, cam: 0, readback: 0, encode: 0 };
}
