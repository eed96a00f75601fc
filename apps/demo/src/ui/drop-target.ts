/** What to do with dropped files. */
export interface DropHandlers {
  /** One image was dropped. */
  image(file: File): void;
  /** Model files were dropped: a model.json with its weights (and maybe labels.json). */
  model(files: File[]): void;
  /** Neither: say why. */
  rejected(reason: string): void;
}

/**
 * Accepts files dropped anywhere on `target`, routing images and model files apart.
 *
 * @example
 * acceptDrops(document.body, { image: showImage, model: loadModel, rejected: alert });
 */
export function acceptDrops(target: HTMLElement, handlers: DropHandlers): void {
  let depth = 0;
  target.addEventListener('dragenter', (event) => {
    event.preventDefault();
    depth += 1;
    target.classList.add('dragging');
  });
  target.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) target.classList.remove('dragging');
  });
  target.addEventListener('dragover', (event) => event.preventDefault());
  target.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    target.classList.remove('dragging');
    routeFiles([...(event.dataTransfer?.files ?? [])], handlers);
  });
}

/** Sends files to the image or model handler by their kind. */
export function routeFiles(files: File[], handlers: DropHandlers): void {
  if (files.some((f) => f.name.endsWith('.json'))) handlers.model(files);
  else if (files.length === 1 && files[0]!.type.startsWith('image/')) handlers.image(files[0]!);
  else handlers.rejected('Drop one image, or a model.json together with its .bin weight files (and optionally labels.json).');
}
