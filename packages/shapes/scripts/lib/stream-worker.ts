/**
 * A stream generator thread of the torch engine: writes shards first, first + step, … below
 * `end` of the stream folder (skipping those already on disk), in order, and posts each
 * shard index when it is on disk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ensureShard, type StreamMeta } from './stream-shards.js';

/** What train-torch.ts passes to each generator thread. */
export interface StreamWorkerData {
  /** URL of this module, imported by train-worker-bootstrap.mjs. */
  entry: string;
  folder: string;
  meta: StreamMeta;
  first: number;
  step: number;
  end: number;
}

const data = workerData as StreamWorkerData;
if (parentPort === null) throw new Error('stream-worker must run in a worker thread');
for (let k = data.first; k < data.end; k += data.step) {
  ensureShard(data.folder, data.meta, k);
  parentPort.postMessage(k);
}
