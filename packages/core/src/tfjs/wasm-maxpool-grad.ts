import * as tf from '@tensorflow/tfjs';

/** The parts of TF.js's wasm backend a JS kernel uses to reach tensor memory. */
interface WasmBackendMemory {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dx of a 2-D max pool: each output's gradient goes to the first position of its window
 * that holds the window's maximum (TensorFlow's and TF.js cpu's rule). TF.js 4.22's wasm
 * MaxPoolGrad starts its running maximum at 0, so a window whose maximum is 0 or negative
 * (every all-zero window after a ReLU) gets no gradient at all: Grad-CAM on a ReLU →
 * MaxPool layer then differs from Keras by 16% (the VGG fixture). This kernel replaces it.
 */
function maxPoolGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as MaxPoolGradAttrs;
  const memory = backend as WasmBackendMemory;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  // The output first: allocating it can grow the wasm heap, which detaches every view taken
  // before (they would then read as undefined: NaN gradients once a batch outgrows the heap).
  const out = memory.makeOutput([...input.shape], 'float32');
  const x = memory.typedArrayFromHeap(input);
  const gradient = memory.typedArrayFromHeap(dy);
  const dx = memory.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padInfo.left;
        for (let c = 0; c < inChannels; c++) {
          let best = -Infinity;
          let at = -1;
          for (let fy = 0; fy < filterHeight; fy++) {
            const y = y0 + fy;
            if (y < 0 || y >= inHeight) continue;
            for (let fx = 0; fx < filterWidth; fx++) {
              const xx = x0 + fx;
              if (xx < 0 || xx >= inWidth) continue;
              const index = ((b * inHeight + y) * inWidth + xx) * inChannels + c;
              if (x[index]! > best || at < 0) {
                best = x[index]!;
                at = index;
              }
            }
          }
          if (at >= 0) dx[at]! += gradient[((b * outHeight + oy) * outWidth + ox) * inChannels + c]!;
        }
      }
    }
  }
  return out;
}

/**
 * Registers the corrected MaxPoolGrad on TF.js's wasm backend, replacing the built-in one.
 * Idempotent; call after the wasm backend is registered.
 *
 * @example
 * await tf.setBackend('wasm');
 * fixWasmMaxPoolGrad();
 */
export function fixWasmMaxPoolGrad(): void {
  const existing = tf.getKernel('MaxPoolGrad', 'wasm');
  if (existing?.kernelFunc === maxPoolGrad) return;
  if (existing) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc });
}
