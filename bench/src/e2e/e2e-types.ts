// What the end-to-end suite measures and records (part of the run's JSON).

export type E2eBackend = 'wasm' | 'cpu' | 'webgpu';
export type E2eModel = 'shapes-cnn' | 'mobilenetv2-style' | 'resnet50-style';

/** One model at one batch size: the backends to run and their timed rounds. */
export interface E2eCasePlan {
  readonly model: E2eModel;
  readonly batch: number;
  readonly backends: readonly { readonly backend: E2eBackend; readonly rounds: number }[];
  /** Rounds of the Python peer (interleaved with the backends'); 0 for none. */
  readonly peerRounds: number;
}

export interface E2ePlan {
  readonly cases: readonly E2eCasePlan[];
  /** `--method all` against one gradient method + the passes of its score methods, on wasm. */
  readonly methodAll: { readonly model: E2eModel; readonly rounds: number } | null;
  readonly graphOpenRounds: number;
  readonly skipped: readonly string[];
}

/** Seconds per request (one batch) of one way of explaining, in round order. */
export interface E2eWay {
  /** 'wgcam wasm', 'wgcam cpu', 'wgcam webgpu' or 'pytorch-grad-cam math (PyTorch CPU)'. */
  readonly way: string;
  readonly seconds: readonly number[];
  readonly model: readonly number[];
  readonly cam: readonly number[];
  readonly io: readonly number[];
  readonly note?: string;
}

export interface E2eCaseResult {
  readonly model: E2eModel;
  readonly batch: number;
  readonly size: number;
  readonly ways: readonly E2eWay[];
  /** Per round where both ran: wgcam on wasm ÷ the peer (seconds per request). */
  readonly wasmOverPeer: readonly number[];
}

export interface MethodAllResult {
  readonly model: E2eModel;
  /** Seconds per request, by method ('all', 'gradcam', 'cam' and every method of `all` with extra passes), in round order. */
  readonly seconds: Readonly<Record<string, readonly number[]>>;
  /** Per round: all ÷ (gradcam + Σ (m − cam) over the methods of `all` with extra passes), i.e. over one gradient method plus every masked or ablated pass. */
  readonly ratios: readonly number[];
}

export interface GraphOpenRow {
  readonly model: string;
  readonly openMs: readonly number[];
  readonly forwardMs: readonly number[];
}

export interface E2eResults {
  readonly threads: string;
  readonly peer: { readonly available: boolean; readonly note: string };
  readonly cases: readonly E2eCaseResult[];
  readonly methodAll: MethodAllResult | null;
  readonly graphOpen: readonly GraphOpenRow[];
  readonly skipped: readonly string[];
  readonly failures: readonly string[];
}
