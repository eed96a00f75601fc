// A child process that speaks protocol.ts: requests are written one per line, replies are
// the stdout lines with REPLY_PREFIX; other output is passed to `log`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPLY_PREFIX } from './protocol.js';

/** A running worker. */
export interface LineWorker {
  /** Sends one request and waits for its reply. */
  ask<T>(request: object): Promise<T>;
  /** The first reply (ready, or why it could not start). */
  readonly ready: Promise<{ ok: boolean; ready?: string; error?: string; missing?: boolean }>;
  close(): Promise<void>;
}

/**
 * Starts `command args` as a line worker.
 *
 * @example
 * const peer = startLineWorker('python3', ['bench/peer/gradcam_peer.py'], console.log);
 * if ((await peer.ready).ok) console.log(await peer.ask({ op: 'explain', images, out }));
 */
export function startLineWorker(command: string, args: readonly string[], log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): LineWorker {
  const child: ChildProcess = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const waiting: ((value: unknown) => void)[] = [];
  let ended = false;
  const endAll = (why: string): void => {
    ended = true;
    for (const resolve of waiting.splice(0)) resolve({ ok: false, error: why });
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith(REPLY_PREFIX)) return log(line);
    waiting.shift()?.(JSON.parse(line.slice(REPLY_PREFIX.length)));
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => void stderr.push(line));
  child.on('error', (error) => endAll(`${command} could not start: ${error.message}`));
  child.on('exit', (code) => endAll(`${command} exited (${code}) without replying${stderr.length ? `: ${stderr.slice(-3).join(' | ')}` : ''}`));
  const next = <T>(): Promise<T> => (ended ? Promise.resolve({ ok: false, error: `${command} has exited` } as T) : new Promise<T>((resolve) => waiting.push(resolve as (v: unknown) => void)));
  const ready = next<{ ok: boolean; ready?: string; error?: string; missing?: boolean }>();
  return {
    ready,
    ask: <T>(request: object) => {
      const reply = next<T>();
      if (!ended) child.stdin!.write(`${JSON.stringify(request)}\n`);
      return reply;
    },
    close: async () => {
      if (ended) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end(`${JSON.stringify({ op: 'exit' })}\n`);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (!ended) child.kill();
    },
  };
}
