import { foldBatchNorm } from './build-shapes-cnn.js';

/** One tensor of the torch trainer's JSON: its PyTorch shape and values in row-major order. */
interface TorchTensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** What scripts/torch/train_shapes.py writes after each epoch (its state_dict, PyTorch layouts). */
export interface TorchWeightsFile {
  readonly filters: readonly [number, number, number];
  readonly bnEpsilon: number;
  readonly tensors: Readonly<Record<string, TorchTensor>>;
}

function tensor(file: TorchWeightsFile, name: string, shape: readonly number[]): Float32Array {
  const t = file.tensors[name];
  if (t === undefined) throw new Error(`torch weights: missing ${name}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`torch weights: ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return Float32Array.from(t.data);
}

/**
 * A PyTorch conv kernel [out, in, kh, kw] (OIHW) in TF.js's layout [kh, kw, in, out] (HWIO).
 *
 * @example
 * const hwio = oihwToHwio(weights, 16, 3, 3, 3);
 */
export function oihwToHwio(oihw: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(oihw.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = oihw[((a * i + b) * kh + y) * kw + x] as number;
  return out;
}

/**
 * The deployed model's parameters (PARAM_NAMES order: conv kernels HWIO with their folded
 * bias, then the dense kernel [C, K] and bias) from the torch trainer's weights: each BN
 * (with the running statistics the trainer set, its population statistics) folded into
 * the convolution before it, the dense weight [K, C] transposed.
 *
 * @example
 * const params = deployedFromTorch(JSON.parse(readFileSync('epoch-001.json', 'utf8')), 5);
 */
export function deployedFromTorch(file: TorchWeightsFile, numClasses: number): Float32Array[] {
  const [f1, f2, f3] = file.filters;
  const out: Float32Array[] = [];
  const stages = [
    ['conv1', 'bn1', 3, f1],
    ['conv2', 'bn2', f1, f2],
    ['last_conv', 'bn3', f2, f3],
  ] as const;
  for (const [conv, bn, cin, cout] of stages) {
    const kernel = oihwToHwio(tensor(file, `${conv}.weight`, [cout, cin, 3, 3]), cout, cin, 3, 3);
    const folded = foldBatchNorm(
      kernel,
      tensor(file, `${bn}.weight`, [cout]),
      tensor(file, `${bn}.bias`, [cout]),
      tensor(file, `${bn}.running_mean`, [cout]),
      tensor(file, `${bn}.running_var`, [cout]),
      file.bnEpsilon,
    );
    out.push(folded.kernel, folded.bias);
  }
  const dense = tensor(file, 'logits.weight', [numClasses, f3]);
  const transposed = new Float32Array(dense.length);
  for (let k = 0; k < numClasses; k++) for (let c = 0; c < f3; c++) transposed[c * numClasses + k] = dense[k * f3 + c] as number;
  out.push(transposed, tensor(file, 'logits.bias', [numClasses]));
  return out;
}
