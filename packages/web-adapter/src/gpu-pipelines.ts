// Pipelines are immutable and cheap to share, so each is compiled once per device and
// kept as long as the device lives (WeakMap: a dropped device takes its pipelines along).
const caches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline | GPURenderPipeline>>();

/** The cached pipeline for `key` on `device`, created by `make` on first use. */
export function cachedPipeline<T extends GPUComputePipeline | GPURenderPipeline>(device: GPUDevice, key: string, make: () => T): T {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  let pipeline = cache.get(key);
  if (!pipeline) {
    pipeline = make();
    cache.set(key, pipeline);
  }
  return pipeline as T;
}

/** A compute pipeline for a one-entry-point WGSL kernel, labelled with the kernel's name. */
export function computePipeline(device: GPUDevice, name: string, code: string): GPUComputePipeline {
  return cachedPipeline(device, `compute:${name}`, () => {
    const module = device.createShaderModule({ label: name, code });
    return device.createComputePipeline({ label: name, layout: 'auto', compute: { module, entryPoint: 'main' } });
  });
}
