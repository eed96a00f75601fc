/**
 * Shows `text` in a message element, styled as an error or as information.
 *
 * @example
 * showMessage(ui.cameraMessage, 'Camera permission was denied…', 'error');
 */
export function showMessage(element: HTMLElement, text: string, kind: 'info' | 'error'): void {
  element.textContent = text;
  element.classList.toggle('error', kind === 'error');
  element.dataset['kind'] = kind;
  element.hidden = false;
}

/** Hides a message element. */
export function hideMessage(element: HTMLElement): void {
  element.hidden = true;
  element.textContent = '';
  delete element.dataset['kind'];
}

/**
 * The message of anything thrown, for showing to a person.
 *
 * @example
 * catch (error) { showMessage(el, errorText(error), 'error'); }
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
