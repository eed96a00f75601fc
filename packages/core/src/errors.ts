/**
 * Every error wgcam throws on purpose is a WgcamError with a stable `code`, so callers
 * can tell bad input from device trouble without parsing messages.
 *
 * @example
 * try { await engine.compute(options).read(); }
 * catch (e) { if (e instanceof WgcamError && e.code === 'SHAPE_MISMATCH') showHint(e.message); }
 */
export class WgcamError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A tensor's shape is malformed or disagrees with another input. */
export class ShapeError extends WgcamError {
  constructor(message: string) {
    super('SHAPE_MISMATCH', message);
  }
}

/** The caller stopped the work (an AbortSignal fired, e.g. Ctrl-C); nothing half-done was returned. */
export class CancelledError extends WgcamError {
  constructor(message: string) {
    super('CANCELLED', message);
  }
}

/** What wgcam reads of an AbortSignal (an AbortController's `signal` is one). */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/**
 * Throws CancelledError when `signal` has fired, naming what was stopped.
 *
 * @example
 * throwIfCancelled(options.signal, 'Score-CAM');
 */
export function throwIfCancelled(signal: CancelSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(`${what} was stopped before it finished${signal.reason instanceof Error && signal.reason.message ? ` (${signal.reason.message})` : ''}`);
}

/** An option or argument is missing, of the wrong kind, or out of range. */
export class InvalidInputError extends WgcamError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** Which input of an explanation held NaN or ±Inf. */
export type NonFiniteSource = 'activations' | 'gradients' | 'weights or scores' | 'intermediate map';

/** NaN or ±Inf reached the engine; the result was not returned as a silent NaN image. */
export class NonFiniteInputError extends WgcamError {
  readonly sources: readonly NonFiniteSource[];
  constructor(sources: readonly NonFiniteSource[]) {
    const overflow = sources.includes('intermediate map')
      ? ' A map overflowed float32 although its inputs were finite: scale the inputs down.'
      : '';
    super(
      'NON_FINITE_INPUT',
      `NaN or Inf found in ${sources.join(', ')}; the heatmap would be meaningless.` +
        `${overflow} Check the model's outputs for overflow (e.g. unnormalised inputs) before explaining.`,
    );
    this.sources = sources;
  }
}

/** A request needs more than the GPUDevice's limits allow. */
export class DeviceLimitError extends WgcamError {
  constructor(message: string) {
    super('DEVICE_LIMIT', message);
  }
}

/** The GPU reported a validation, out-of-memory or internal error, or the device was lost. */
export class GpuError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('GPU_ERROR', message, options);
  }
}
