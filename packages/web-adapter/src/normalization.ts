/**
 * How pixel values in 0..255 become model inputs: value · scale + offset, one number for
 * all channels or one per RGB channel (grayscale models use the first).
 */
export interface Normalization {
  readonly scale: number | readonly [number, number, number];
  readonly offset: number | readonly [number, number, number];
  /** 'bgr' feeds the channels in B, G, R order (Caffe-style models), before scale and offset; default 'rgb'. */
  readonly channelOrder?: 'rgb' | 'bgr';
}

/** pixels / 255, values in [0, 1] (the bundled shapes model's convention). */
export const UNIT_RANGE: Normalization = { scale: 1 / 255, offset: 0 };

/** pixels / 127.5 − 1, values in [−1, 1] (MobileNet-style models). */
export const SIGNED_UNIT_RANGE: Normalization = { scale: 1 / 127.5, offset: -1 };

/**
 * A normalisation from a core preprocessing transform (its preset's or explicit scale,
 * offset and channel order), for the frame input's resize/normalise pass.
 *
 * @example
 * const caffe = normalizationOf(PREPROCESS_PRESETS.caffe.transform);
 */
export function normalizationOf(transform: { scale: number | readonly number[]; offset: number | readonly number[]; channelOrder?: 'rgb' | 'bgr' }): Normalization {
  const three = (v: number | readonly number[]): number | [number, number, number] => {
    if (typeof v === 'number') return v;
    if (v.length === 1) return v[0]!;
    if (v.length !== 3) throw new RangeError(`a per-channel value needs 1 or 3 numbers; got ${v.length}`);
    return [v[0]!, v[1]!, v[2]!];
  };
  return { scale: three(transform.scale), offset: three(transform.offset), ...(transform.channelOrder ? { channelOrder: transform.channelOrder } : {}) };
}

/** Raw pixel values 0..255. */
export const BYTE_RANGE: Normalization = { scale: 1, offset: 0 };

/**
 * The per-channel scale and offset as vec4 uniforms (alpha slot unused).
 *
 * @example
 * normalizationVectors(UNIT_RANGE); // { scale: [1/255, 1/255, 1/255, 0], offset: [0, 0, 0, 0] }
 */
export function normalizationVectors(n: Normalization): { scale: [number, number, number, number]; offset: [number, number, number, number]; bgr: boolean } {
  const vec = (v: number | readonly [number, number, number]): [number, number, number, number] => (typeof v === 'number' ? [v, v, v, 0] : [v[0], v[1], v[2], 0]);
  const scale = vec(n.scale);
  const offset = vec(n.offset);
  if ([...scale, ...offset].some((v) => !Number.isFinite(v))) throw new RangeError(`normalization must be finite numbers; got scale ${String(n.scale)}, offset ${String(n.offset)}`);
  if (n.channelOrder !== undefined && n.channelOrder !== 'rgb' && n.channelOrder !== 'bgr') throw new RangeError(`channelOrder must be 'rgb' or 'bgr'; got ${String(n.channelOrder)}`);
  return { scale, offset, bgr: n.channelOrder === 'bgr' };
}
