/** Every element the demo reads or writes, looked up once. */
export interface DemoElements {
  readonly canvas: HTMLCanvasElement;
  readonly video: HTMLVideoElement;
  readonly fatal: HTMLElement;
  readonly adapter: HTMLElement;
  /** Which backend runs the model and why. */
  readonly backend: HTMLElement;
  /** What happened to the GPU device (lost, recovering, recovered). */
  readonly gpuStatus: HTMLElement;
  readonly frameMessage: HTMLElement;
  readonly fps: HTMLElement;
  readonly frames: HTMLElement;
  readonly startCamera: HTMLButtonElement;
  readonly stopCamera: HTMLButtonElement;
  readonly cameraMessage: HTMLElement;
  readonly imageFile: HTMLInputElement;
  readonly sampleImage: HTMLButtonElement;
  readonly method: HTMLSelectElement;
  readonly target: HTMLSelectElement;
  readonly colormap: HTMLSelectElement;
  readonly alpha: HTMLInputElement;
  readonly alphaValue: HTMLOutputElement;
  readonly layer: HTMLSelectElement;
  readonly inputRange: HTMLSelectElement;
  readonly predictions: HTMLOListElement;
  readonly times: { readonly input: HTMLElement; readonly model: HTMLElement; readonly cam: HTMLElement; readonly draw: HTMLElement; readonly total: HTMLElement };
  readonly timeSource: HTMLElement;
  readonly modelInfo: HTMLElement;
  readonly modelUrlForm: HTMLFormElement;
  readonly modelUrlFields: HTMLFieldSetElement;
  readonly modelUrl: HTMLInputElement;
  readonly modelFiles: HTMLInputElement;
  readonly modelMessage: HTMLElement;
}

function byId<T extends HTMLElement>(doc: Document, id: string, type: { new (): T; prototype: T }): T {
  const element = doc.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html lacks the ${type.name} #${id} the demo needs`);
  return element;
}

/**
 * Looks up the demo's elements in index.html, failing loudly if one is missing.
 *
 * @example
 * const ui = findElements(document);
 * ui.fps.textContent = '30 fps';
 */
export function findElements(doc: Document): DemoElements {
  const el = (id: string): HTMLElement => byId(doc, id, HTMLElement);
  return {
    canvas: byId(doc, 'output', HTMLCanvasElement),
    video: byId(doc, 'camera', HTMLVideoElement),
    fatal: el('fatal'),
    adapter: el('adapter'),
    backend: el('backend'),
    gpuStatus: el('gpu-status'),
    frameMessage: el('frame-message'),
    fps: el('fps'),
    frames: el('frames'),
    startCamera: byId(doc, 'start-camera', HTMLButtonElement),
    stopCamera: byId(doc, 'stop-camera', HTMLButtonElement),
    cameraMessage: el('camera-message'),
    imageFile: byId(doc, 'image-file', HTMLInputElement),
    sampleImage: byId(doc, 'sample-image', HTMLButtonElement),
    method: byId(doc, 'method', HTMLSelectElement),
    target: byId(doc, 'target', HTMLSelectElement),
    colormap: byId(doc, 'colormap', HTMLSelectElement),
    alpha: byId(doc, 'alpha', HTMLInputElement),
    alphaValue: byId(doc, 'alpha-value', HTMLOutputElement),
    layer: byId(doc, 'layer', HTMLSelectElement),
    inputRange: byId(doc, 'input-range', HTMLSelectElement),
    predictions: byId(doc, 'predictions', HTMLOListElement),
    times: { input: el('time-input'), model: el('time-model'), cam: el('time-cam'), draw: el('time-draw'), total: el('time-total') },
    timeSource: el('time-source'),
    modelInfo: el('model-info'),
    modelUrlForm: byId(doc, 'model-url-form', HTMLFormElement),
    modelUrlFields: byId(doc, 'model-url-fields', HTMLFieldSetElement),
    modelUrl: byId(doc, 'model-url', HTMLInputElement),
    modelFiles: byId(doc, 'model-files', HTMLInputElement),
    modelMessage: el('model-message'),
  };
}
