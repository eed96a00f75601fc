/**
 * wgcam in the browser: a WebGPU device from navigator.gpu, frames from video, images,
 * bitmaps or VideoFrames turned into model input on the GPU, packed RGBA8 results drawn
 * into a canvas without CPU readback, a frame loop with one frame in flight, and GPU
 * stage timers.
 *
 * @example
 * import { createWebDevice, FrameInput, CanvasPresenter, FrameLoop } from '@wgcam/web-adapter';
 * const { device } = await createWebDevice({ optionalFeatures: ['timestamp-query'] });
 * const input = new FrameInput(device, { input: { height: 32, width: 32, channels: 3 } });
 * const presenter = new CanvasPresenter(device, canvas);
 * new FrameLoop(async ({ source }) => { await input.upload(source); ...; await device.queue.onSubmittedWorkDone(); }).start(video);
 */
export { createWebDevice, TFJS_LIMITS } from './create-web-device.js';
export type { WebDevice, WebDeviceOptions } from './create-web-device.js';
export { WebGpuUnavailableError } from './errors.js';
export type { WebGpuUnavailableReason } from './errors.js';
export { fitWithin, frameReady, frameSize } from './frame-source.js';
export type { FrameSource, PixelSize } from './frame-source.js';
export { FrameInput } from './frame-input.js';
export type { FrameInputCounters, FrameInputOptions, ModelInputShape, VideoCopyPath } from './frame-input.js';
export { BYTE_RANGE, normalizationOf, normalizationVectors, SIGNED_UNIT_RANGE, UNIT_RANGE } from './normalization.js';
export type { Normalization } from './normalization.js';
export { MAX_TAPS, samplingTaps } from './resample-plan.js';
export { CanvasPresenter } from './canvas-presenter.js';
export type { CanvasPresenterOptions, PresentableCanvas } from './canvas-presenter.js';
export { Rgba8Renderer } from './rgba8-renderer.js';
export type { Rgba8DrawOptions } from './rgba8-renderer.js';
export { GpuTimer } from './gpu-timer.js';
export { FrameLoop } from './frame-loop.js';
export type { FrameLoopOptions, FrameRenderer, FrameTick } from './frame-loop.js';
export { BufferUsage, MapMode, TENSOR_BUFFER_USAGE, TextureUsage } from './gpu-flags.js';
