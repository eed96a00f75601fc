import { GpuError } from '@wgcam/core';

/** What wgcam knows about a device it watches: whether it was lost, and why. */
export interface DeviceWatch {
  readonly device: GPUDevice;
  /** Set once `device.lost` resolved: 'destroyed' or 'unknown', and Dawn's message. */
  lost: { reason: string; message: string } | null;
  /** Errors no error scope caught, in order (also written to stderr when no guarded call runs). */
  readonly uncaptured: { readonly seq: number; readonly error: GPUError }[];
  /** How many uncaptured errors the device raised so far. */
  seen: number;
  /** Guarded calls now running on this device (errors then belong to them). */
  active: number;
  /** Guarded calls on one device run one after another, so that error scopes never interleave. */
  queue: Promise<unknown>;
}

const watches = new WeakMap<GPUDevice, DeviceWatch>();

/** A GPU error as a one-line summary for messages. */
function summary(error: GPUError): string {
  const kind = error.constructor?.name === 'GPUOutOfMemoryError' ? 'out of memory' : error.constructor?.name === 'GPUValidationError' ? 'validation error' : 'GPU error';
  const first = error.message.split('\n').find((line) => line.trim() !== '') ?? '';
  return `${kind}: ${first.trim()}`;
}

function isOutOfMemory(error: GPUError): boolean {
  return error.constructor?.name === 'GPUOutOfMemoryError' || /out of memory|OUT_OF_DEVICE_MEMORY|OUT_OF_HOST_MEMORY/i.test(error.message);
}

/**
 * Starts watching a device: its uncaptured errors are kept for the guarded call that
 * caused them instead of being printed on stdout by Dawn (an error outside any guarded
 * call goes to stderr), and its loss is recorded. Idempotent.
 *
 * @example
 * const { device } = await createNodeDevice();
 * watchDevice(device);
 */
export function watchDevice(device: GPUDevice): DeviceWatch {
  let watch = watches.get(device);
  if (watch) return watch;
  const created: DeviceWatch = { device, lost: null, uncaptured: [], seen: 0, active: 0, queue: Promise.resolve() };
  watch = created;
  watches.set(device, created);
  void device.lost.then((info) => {
    created.lost = { reason: info.reason ?? 'unknown', message: info.message ?? '' };
  });
  device.addEventListener('uncapturederror', (event: Event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    // Dawn's default action prints the error on stdout, which would break --json output.
    event.preventDefault();
    created.seen += 1;
    created.uncaptured.push({ seq: created.seen, error });
    if (created.uncaptured.length > 64) created.uncaptured.shift();
    if (created.active === 0) process.stderr.write(`wgcam: GPU ${summary(error)} (outside an explanation)\n`);
  });
  return created;
}

/**
 * The typed error for a lost device: what happened and that the next call opens a new one.
 *
 * @example
 * throw deviceLostError(watch.lost!);
 */
export function deviceLostError(lost: { reason: string; message: string }, cause?: unknown): GpuError {
  const why = lost.reason === 'destroyed' ? 'it was destroyed' : `reason: ${lost.reason}`;
  return new GpuError(
    `the GPU device was lost (${why}${lost.message ? `; ${lost.message.split('\n')[0]}` : ''}); this image was not explained. ` +
      'The next call opens a new device and engine by itself.',
    cause === undefined ? undefined : { cause },
  );
}

/** Whether the device is lost now or becomes lost within `waitMs` (Dawn reports a destroy on its next event tick). */
async function lostSoon(watch: DeviceWatch, waitMs: number): Promise<boolean> {
  if (watch.lost) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  await Promise.race([watch.device.lost.then(() => undefined), timeout]);
  clearTimeout(timer);
  // `lost` is set in a then() of the same promise; give it a microtask.
  await Promise.resolve();
  return watch.lost !== null;
}

function gpuErrorFor(what: string, errors: readonly GPUError[]): GpuError {
  const oom = errors.some(isOutOfMemory);
  const hint = oom
    ? 'The GPU ran out of memory: explain a smaller image or a smaller --size, use fewer images per batch (--batch), or run the model on --backend wasm.'
    : 'The result was discarded rather than returned wrong; report this with the image size and model if it repeats.';
  return new GpuError(`${what} failed on the GPU (${errors.slice(0, 3).map(summary).join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''}). ${hint}`);
}

/**
 * Runs `work` with validation and out-of-memory error scopes pushed on every device in
 * `devices`: any GPU error raised meanwhile (by wgcam's kernels or by TF.js running the
 * model) rejects with a GpuError naming it, and a device lost meanwhile rejects with the
 * deviceLostError; the work's own result is then discarded. Guarded calls on one device
 * run one at a time.
 *
 * @example
 * const many = await guardGpu([device], 'explaining star.png', () => explainer.explainMany(images, options));
 */
export async function guardGpu<T>(devices: readonly GPUDevice[], what: string, work: () => Promise<T>): Promise<T> {
  const list = [...new Set(devices)].map(watchDevice);
  const previous = Promise.all(list.map((w) => w.queue));
  const run = previous.then(() => guarded(list, what, work));
  for (const w of list) w.queue = run.catch(() => undefined);
  return run;
}

async function guarded<T>(list: readonly DeviceWatch[], what: string, work: () => Promise<T>): Promise<T> {
  for (const w of list) if (w.lost) throw deviceLostError(w.lost);
  const before = list.map((w) => w.seen);
  for (const w of list) {
    w.active += 1;
    w.device.pushErrorScope('validation');
    w.device.pushErrorScope('out-of-memory');
  }
  let result: { value: T } | null = null;
  let failure: unknown = null;
  try {
    result = { value: await work() };
  } catch (error) {
    failure = error;
  }
  const errors: GPUError[] = [];
  for (const [i, w] of list.entries()) {
    try {
      const scoped = await Promise.all([w.device.popErrorScope(), w.device.popErrorScope()]);
      for (const e of scoped) if (e) errors.push(e);
    } catch {
      // A lost device rejects popErrorScope; the loss is reported below.
    }
    errors.push(...w.uncaptured.filter((u) => u.seq > before[i]!).map((u) => u.error));
    w.active -= 1;
  }
  for (const w of list) {
    if (w.lost || (failure !== null && (await lostSoon(w, 100)))) throw deviceLostError(w.lost!, failure ?? undefined);
  }
  if (errors.length > 0) throw gpuErrorFor(what, errors);
  if (failure !== null) throw failure;
  return result!.value;
}

/**
 * Whether a device wgcam watches was lost.
 *
 * @example
 * if (isDeviceLost(runtime.device)) await reopen();
 */
export function isDeviceLost(device: GPUDevice | null): boolean {
  return device !== null && watchDevice(device).lost !== null;
}
