import { InvalidInputError, ShapeError } from './errors.js';
import { BufferUsage } from './gpu/flags.js';

/** Float32 data for the engine: a typed array (uploaded once) or a GPU buffer used in place. */
export type TensorData = Float32Array | GPUBuffer;

/** A dense float32 tensor in row-major NHWC order. */
export interface TensorSource {
  readonly data: TensorData;
  readonly shape: readonly number[];
}

/** The sizes of one batch of feature maps. */
export interface FeatureDims {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Targets (explained classes) per image. */
  readonly targets: number;
}

/** Height and width of an image or map, in pixels. */
export interface Size2D {
  readonly height: number;
  readonly width: number;
}

/** The model input that the score-based methods and the faithfulness metrics perturb: [B, H, W, Cin]. */
export interface ModelInputDims extends Size2D {
  readonly channels: number;
}

export function isGpuBuffer(data: unknown): data is GPUBuffer {
  return typeof data === 'object' && data !== null && 'mapAsync' in data && 'usage' in data;
}

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Checks that a shape has `rank` positive integer dimensions. */
export function checkShape(name: string, shape: readonly number[], rank: number | readonly number[], layout: string): void {
  const ranks = typeof rank === 'number' ? [rank] : rank;
  if (!Array.isArray(shape) || !ranks.includes(shape.length)) {
    throw new ShapeError(`${name} must have shape ${layout}; got ${describeShape(shape ?? [])}`);
  }
  shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d <= 0) {
      throw new ShapeError(
        `${name} has shape ${describeShape(shape)}: dimension ${i} is ${d}, but every dimension of ${layout} must be a positive integer`,
      );
    }
  });
}

/** Checks that the data holds exactly (typed array) or at least (GPU buffer) the shape's elements. */
export function checkData(name: string, source: TensorSource): void {
  const elements = source.shape.reduce((a, b) => a * b, 1);
  const { data } = source;
  if (data instanceof Float32Array) {
    if (data.length !== elements) {
      throw new ShapeError(
        `${name} has shape ${describeShape(source.shape)} (${elements} values) but its Float32Array holds ${data.length}`,
      );
    }
  } else if (isGpuBuffer(data)) {
    if (data.size < elements * 4) {
      throw new ShapeError(
        `${name} has shape ${describeShape(source.shape)} (${elements * 4} bytes) but its GPUBuffer holds only ${data.size} bytes`,
      );
    }
    if ((data.usage & BufferUsage.STORAGE) === 0) {
      throw new InvalidInputError(`${name}: the GPUBuffer '${data.label}' needs GPUBufferUsage.STORAGE to be read by the engine`);
    }
  } else {
    throw new InvalidInputError(`${name}.data must be a Float32Array or a GPUBuffer`);
  }
}

/** Activations [B,h,w,C] → the feature dimensions (targets still 1). */
export function activationDims(activations: TensorSource): Omit<FeatureDims, 'targets'> {
  checkShape('activations', activations.shape, 4, '[B, h, w, C] (NHWC)');
  checkData('activations', activations);
  const [batch, height, width, channels] = activations.shape as [number, number, number, number];
  return { batch, height, width, channels };
}

/** Gradients [B,h,w,C] or [B,K,h,w,C] against activations → K. */
export function gradientTargets(gradients: TensorSource, dims: Omit<FeatureDims, 'targets'>): number {
  checkShape('gradients', gradients.shape, [4, 5], '[B, h, w, C] or [B, K, h, w, C]');
  checkData('gradients', gradients);
  const shape = gradients.shape;
  const targets = shape.length === 5 ? (shape[1] as number) : 1;
  const [b, h, w, c] = shape.length === 5 ? [shape[0], shape[2], shape[3], shape[4]] : shape;
  if (b !== dims.batch || h !== dims.height || w !== dims.width || c !== dims.channels) {
    throw new ShapeError(
      `gradients ${describeShape(shape)} do not match activations [${dims.batch}, ${dims.height}, ${dims.width}, ${dims.channels}]: ` +
        'they must be the gradient of each target score with respect to those activations',
    );
  }
  return targets;
}

/** Target classes as given by the caller: one for all, one per image, or K per image. */
export type TargetSpec = number | readonly number[] | readonly (readonly number[])[];

/** Expands a TargetSpec to B·K class indices, each checked against `classes`. */
export function resolveTargets(spec: TargetSpec | undefined, batch: number, classes: number, targetsHint?: number): Uint32Array {
  if (spec === undefined) throw new InvalidInputError('targets are required: give the class index to explain (or one per image)');
  let rows: (readonly number[])[];
  if (typeof spec === 'number') {
    rows = Array.from({ length: batch }, () => Array<number>(targetsHint ?? 1).fill(spec));
  } else if (spec.every((t) => typeof t === 'number')) {
    const flat = spec as readonly number[];
    if (flat.length !== batch) {
      throw new ShapeError(`targets lists ${flat.length} classes but the batch has ${batch} images: give one class per image`);
    }
    rows = flat.map((t) => Array<number>(targetsHint ?? 1).fill(t));
  } else {
    rows = (spec as readonly (readonly number[])[]).map((r) => [...r]);
    if (rows.length !== batch) throw new ShapeError(`targets has ${rows.length} rows but the batch has ${batch} images`);
  }
  const k = rows[0]?.length ?? 0;
  if (k === 0 || rows.some((r) => r.length !== k)) {
    throw new ShapeError('every image needs the same, non-zero number of targets');
  }
  if (targetsHint !== undefined && k !== targetsHint) {
    throw new ShapeError(`targets give ${k} classes per image but the gradients hold ${targetsHint}`);
  }
  const out = new Uint32Array(batch * k);
  rows.forEach((row, b) =>
    row.forEach((t, i) => {
      if (!Number.isInteger(t) || t < 0 || t >= classes) {
        throw new InvalidInputError(`target class ${t} (image ${b}) is out of range: the model has classes 0..${classes - 1}`);
      }
      out[b * k + i] = t;
    }),
  );
  return out;
}

/** Checks an output size. */
export function checkSize(name: string, size: Size2D): void {
  if (!Number.isInteger(size.height) || !Number.isInteger(size.width) || size.height <= 0 || size.width <= 0) {
    throw new InvalidInputError(`${name} must be positive integers; got ${size.height}×${size.width}`);
  }
}
