/** Camera resolution to ask for; the model input is tiny, so more only costs time. */
const CONSTRAINTS: MediaStreamConstraints = { video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false };

/**
 * Opens the camera (the browser asks the user for permission) and plays it in `video`.
 * Throws the browser's DOMException; cameraErrorMessage turns it into advice.
 *
 * @example
 * await openCamera(video);
 * loop.start(video);
 */
export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new DOMException('navigator.mediaDevices is unavailable', isSecureContext ? 'NotSupportedError' : 'SecurityError');
  }
  const stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
  video.srcObject = stream;
  try {
    await video.play();
  } catch (error) {
    closeCamera(video);
    throw error;
  }
  return stream;
}

/** Stops the camera's tracks and detaches it from `video`. */
export function closeCamera(video: HTMLVideoElement): void {
  const stream = video.srcObject;
  if (stream instanceof MediaStream) for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
}

/**
 * What a person can do about a failed getUserMedia.
 *
 * @example
 * catch (error) { showMessage(ui.cameraMessage, cameraErrorMessage(error), 'error'); }
 */
export function cameraErrorMessage(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'Camera permission was denied. Allow camera access for this site (the camera icon in the address bar, or the site settings) and press "Start camera" again — or open or drop an image instead.';
    case 'SecurityError':
      return 'The camera needs a secure page: open the demo over https:// or from http://localhost.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Connect one and press "Start camera" again, or open or drop an image.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera could not be started: another application may be using it. Close that application and try again.';
    case 'NotSupportedError':
      return 'This browser offers no camera access (navigator.mediaDevices is missing).';
    default:
      return `The camera could not be started: ${error instanceof Error ? error.message : String(error)}`;
  }
}
