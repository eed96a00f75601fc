// Worker threads do not inherit tsx's module hooks from the main thread (Node 20), so a
// TypeScript worker cannot be started directly: this plain-JS entry registers tsx in the
// worker, then imports the TypeScript module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
