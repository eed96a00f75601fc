// The page's backend choice (src/gpu/backend-choice.ts), run in Node: what ?backend= and
// the adapter decide, and the reasons the page shows.
import { describe, expect, it } from 'vitest';
import { chooseBackend, isSoftwareAdapter, parseBackendQuery, type WebGpuProbe } from '../src/gpu/backend-choice.js';

const HARDWARE: WebGpuProbe = { available: true, name: 'nvidia ampere', software: false };
const SOFTWARE: WebGpuProbe = { available: true, name: 'google swiftshader', software: true };
const NONE: WebGpuProbe = { available: false, name: '', software: false, problem: 'navigator.gpu is missing' };

describe('the page backend choice', () => {
  it('auto: webgpu on a hardware adapter, wasm on a software one or without WebGPU; the overlay on WebGPU wherever it exists', () => {
    expect(chooseBackend('auto', HARDWARE)).toMatchObject({ backend: 'webgpu', overlay: 'webgpu' });
    expect(chooseBackend('auto', HARDWARE).reason).toMatch(/hardware WebGPU adapter \(nvidia ampere\)/);
    expect(chooseBackend('auto', SOFTWARE)).toMatchObject({ backend: 'wasm', overlay: 'webgpu' });
    expect(chooseBackend('auto', SOFTWARE).reason).toMatch(/only a software WebGPU adapter \(google swiftshader\)/);
    expect(chooseBackend('auto', NONE)).toMatchObject({ backend: 'wasm', overlay: 'canvas2d' });
    expect(chooseBackend('auto', NONE).reason).toMatch(/no WebGPU here \(navigator\.gpu is missing\)/);
  });

  it('an explicit choice wins where it can run; webgpu without WebGPU falls back to wasm and says so', () => {
    expect(chooseBackend('webgpu', SOFTWARE)).toMatchObject({ backend: 'webgpu', overlay: 'webgpu', reason: 'chosen by ?backend=webgpu' });
    expect(chooseBackend('webgl', HARDWARE)).toMatchObject({ backend: 'webgl', overlay: 'webgpu' });
    expect(chooseBackend('wasm', NONE)).toMatchObject({ backend: 'wasm', overlay: 'canvas2d' });
    const impossible = chooseBackend('webgpu', NONE);
    expect(impossible).toMatchObject({ backend: 'wasm', overlay: 'canvas2d' });
    expect(impossible.reason).toMatch(/\?backend=webgpu asked for, but WebGPU is unavailable here \(navigator\.gpu is missing\)/);
  });

  it('reads ?backend= and reports a value that names no backend', () => {
    expect(parseBackendQuery(new URLSearchParams(''))).toEqual({ backend: 'auto' });
    expect(parseBackendQuery(new URLSearchParams('?backend=wasm'))).toEqual({ backend: 'wasm' });
    expect(parseBackendQuery(new URLSearchParams('?backend=WebGPU'))).toEqual({ backend: 'auto', problem: '?backend=WebGPU is not one of auto, webgpu, wasm, webgl; using auto' });
  });

  it('tells software adapters by isFallbackAdapter or by name', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', device: '', description: '', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', device: '', description: '' }, true)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3080' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', device: '', description: '' })).toBe(false);
  });
});
