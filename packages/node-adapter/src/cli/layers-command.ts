import type { Size2D } from '@wgcam/core';
import { listLayers, type LayerInfo } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../explain/bundled.js';
import { resolveModelPath } from '../explain/model-config.js';
import { loadModel } from '../model-loader.js';
import { openModelRuntime } from '../model-runtime.js';

/** Options of `wgcam layers`, as commander parses them. */
export interface LayersCommandOptions {
  model?: string;
  inputSize?: Size2D;
  all?: boolean;
  json?: boolean;
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function table(layers: readonly LayerInfo[]): string {
  const rows = layers.map((l) => [l.name, shapeText(l.shape), l.automatic ? 'automatic' : l.refused ? `refused: ${l.refused}` : '', l.note ? `note: ${l.note}` : l.node ? `node ${l.node}` : '']);
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length), c === 0 ? 5 : 5));
  const line = (r: readonly string[]): string => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r.slice(2).filter(Boolean).join('  ')}`.trimEnd();
  return `${[line(['layer', 'shape', '']), ...rows.map(line)].join('\n')}\n`;
}

/** `wgcam layers`: the layers CAM methods can explain, the automatic one marked, refused ones with why. */
export async function layersCommand(options: LayersCommandOptions): Promise<void> {
  const path = resolveModelPath(options.model ?? BUNDLED_MODEL);
  // Graph models are run once to learn their shapes: on the fastest backend auto finds.
  const runtime = await openModelRuntime({ backend: 'auto' });
  const model = await loadModel(path).catch((error: unknown) => {
    runtime.release();
    throw error;
  });
  try {
    const all = listLayers(model, options.inputSize);
    const layers = options.all ? all : all.filter((l) => !l.refused);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ model: path, layers })}\n`);
      return;
    }
    process.stdout.write(`${path}: ${layers.length} explainable layer${layers.length === 1 ? '' : 's'}${options.all ? '' : ` (${all.length - layers.length} refused; --all lists them)`}\n`);
    process.stdout.write(table(layers));
  } finally {
    model.dispose();
    runtime.release();
  }
}
