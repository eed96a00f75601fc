// Entry of the codec threads (run by piscina): decodes and encodes off the main thread so
// that image I/O overlaps the GPU work the main thread submits. Results are cloned, not
// transferred: decoders may hand back views of Node's shared buffer pool.
import { runCodecTask, type CodecOutcome, type CodecTask } from './codec-tasks.js';

export default function codecWorker(task: CodecTask): Promise<CodecOutcome> {
  return runCodecTask(task);
}
