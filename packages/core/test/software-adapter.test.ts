// Telling a software adapter from the device's adapter info, and the Eigen-CAM power
// iteration's workgroup chosen from it (pure functions: fake devices, no GPU).
import { describe, expect, it } from 'vitest';
import { powerWorkgroupSize } from '../src/eigen-stages.js';
import { softwareGroupWidth } from '../src/gpu/software-adapter.js';

const deviceWith = (adapterInfo: object | undefined): GPUDevice => ({ adapterInfo }) as unknown as GPUDevice;
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', subgroupMinSize: 4, subgroupMaxSize: 4, isFallbackAdapter: true };

describe('softwareGroupWidth', () => {
  it('is the subgroup size of a fallback adapter', () => {
    expect(softwareGroupWidth(deviceWith(SWIFTSHADER))).toBe(4);
    expect(softwareGroupWidth(deviceWith({ ...SWIFTSHADER, subgroupMaxSize: 8 }))).toBe(8);
  });
  it('is 4 for a software adapter that reports no subgroup size, known by its name alone', () => {
    expect(softwareGroupWidth(deviceWith({ vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.7, 256 bits)', description: '' }))).toBe(4);
    expect(softwareGroupWidth(deviceWith({ ...SWIFTSHADER, isFallbackAdapter: undefined, subgroupMaxSize: undefined }))).toBe(4);
  });
  it('is 0 on a hardware adapter and when the device reports no adapter info', () => {
    expect(softwareGroupWidth(deviceWith({ vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA H200', subgroupMaxSize: 32, isFallbackAdapter: false }))).toBe(0);
    expect(softwareGroupWidth(deviceWith(undefined))).toBe(0);
  });
});

describe('powerWorkgroupSize', () => {
  it('on hardware: the power of two ≥ n within [32, the device maximum]', () => {
    expect(powerWorkgroupSize(64, 256)).toBe(64);
    expect(powerWorkgroupSize(3, 256)).toBe(32);
    expect(powerWorkgroupSize(100, 256)).toBe(128);
    expect(powerWorkgroupSize(784, 256)).toBe(256);
    expect(powerWorkgroupSize(64, 16)).toBe(16);
  });
  it('on a software adapter: one SIMD group (a power of two), whatever n', () => {
    expect(powerWorkgroupSize(64, 256, 4)).toBe(4);
    expect(powerWorkgroupSize(784, 256, 4)).toBe(4);
    expect(powerWorkgroupSize(64, 256, 6)).toBe(8);
    expect(powerWorkgroupSize(64, 4, 16)).toBe(4);
  });
});
