// The line protocol between the end-to-end suite and its workers (a Node process per TF.js
// backend, the Python peer): one JSON request per stdin line, one JSON reply per stdout
// line starting with REPLY_PREFIX (anything else a worker prints is passed on as a log).

export const REPLY_PREFIX = '@@wgcam-e2e ';

/** Explain these image files with `method`, writing each overlay into `out`. */
export interface ExplainRequest {
  readonly op: 'explain';
  readonly images: readonly string[];
  readonly out: string;
  readonly method: string;
  /** Wait for the GPU between stages, so that the model / CAM split is exact on the webgpu backend. */
  readonly profile?: boolean;
}

/** Open (split) each graph model and time one forward pass (Node workers only). */
export interface GraphOpenRequest {
  readonly op: 'graph-open';
  readonly paths: readonly string[];
  readonly rounds: number;
}

export type WorkerRequest = ExplainRequest | GraphOpenRequest | { readonly op: 'exit' };

/** Seconds of one explain request, with the shares a worker can tell apart. */
export interface ExplainReply {
  readonly ok: true;
  /** Wall time of the whole request: files in → overlay files out. */
  readonly seconds: number;
  /** Model passes (forward + backward, preprocessing included), seconds. */
  readonly model: number;
  /** The CAM computation: wgcam's kernels and readback / the peer's numpy + OpenCV maths. */
  readonly cam: number;
  /** Decoding the files and encoding + writing the overlays. */
  readonly io: number;
}

/** Per graph model: opening (splitGraphModel) and one forward pass, milliseconds. */
export interface GraphOpenReply {
  readonly ok: true;
  readonly rows: readonly { readonly model: string; readonly openMs: readonly number[]; readonly forwardMs: readonly number[] }[];
}

export interface FailedReply {
  readonly ok: false;
  readonly error: string;
}

/** What a worker says once it is ready. */
export interface ReadyReply {
  readonly ok: true;
  readonly ready: string;
}
