// What the end-to-end suite runs in each mode. webgpu on a software adapter costs about
// 100 s per ResNet50-style image (forward + backward on SwiftShader), so it gets one round
// in a full run and is left out of --quick on the 224² networks, with a note.
import type { BenchMode } from '../plan.js';
import type { E2ePlan } from './e2e-types.js';

/**
 * The end-to-end plan of a run.
 *
 * @example
 * const plan = e2ePlan('quick');
 */
export function e2ePlan(mode: BenchMode): E2ePlan {
  if (mode === 'smoke') {
    return {
      cases: [{ model: 'shapes-cnn', batch: 1, backends: [{ backend: 'wasm', rounds: 1 }], peerRounds: 0 }],
      methodAll: null,
      graphOpenRounds: 1,
      skipped: ['e2e smoke: shapes-cnn on wasm only'],
    };
  }
  const quick = mode === 'quick';
  const r = quick ? 3 : 5;
  return {
    cases: [
      { model: 'shapes-cnn', batch: 1, backends: [{ backend: 'wasm', rounds: r }, { backend: 'cpu', rounds: r }, { backend: 'webgpu', rounds: quick ? 1 : 3 }], peerRounds: 0 },
      { model: 'shapes-cnn', batch: 8, backends: [{ backend: 'wasm', rounds: r }, { backend: 'cpu', rounds: r }, { backend: 'webgpu', rounds: 1 }], peerRounds: 0 },
      { model: 'mobilenetv2-style', batch: 1, backends: [{ backend: 'wasm', rounds: r }, { backend: 'cpu', rounds: 1 }, ...(quick ? [] : [{ backend: 'webgpu' as const, rounds: 1 }])], peerRounds: r },
      { model: 'resnet50-style', batch: 1, backends: [{ backend: 'wasm', rounds: r }, { backend: 'cpu', rounds: 1 }, ...(quick ? [] : [{ backend: 'webgpu' as const, rounds: 1 }])], peerRounds: r },
      ...(quick ? [] : [{ model: 'mobilenetv2-style' as const, batch: 8, backends: [{ backend: 'wasm' as const, rounds: 3 }], peerRounds: 3 }]),
      { model: 'resnet50-style', batch: 8, backends: [{ backend: 'wasm', rounds: quick ? 2 : 3 }], peerRounds: quick ? 2 : 3 },
    ],
    // Score-CAM on mobilenetv2-style is 1280 masked forward passes (minutes on wasm): one round in a full run.
    // On the shapes CNN a round is about a second, and each ratio divides by differences of ~0.1-s calls
    // (method − cam), which swing past 0 and 5 under load: 15 rounds for a median that means something.
    methodAll: { model: quick ? 'shapes-cnn' : 'mobilenetv2-style', rounds: quick ? 15 : 1 },
    graphOpenRounds: quick ? 3 : 5,
    skipped: [
      ...(quick ? ['e2e: webgpu (SwiftShader, ~100 s per ResNet50-style image) left out on the 224² networks; mobilenetv2-style B=8 left out'] : ['e2e: webgpu on the 224² networks 1 round (about 100 s per ResNet50-style image on SwiftShader)']),
      'e2e: cpu and webgpu at batch 8 only on shapes-cnn (minutes per ResNet50-style batch)',
    ],
  };
}
