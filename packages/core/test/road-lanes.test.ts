// road_impute's workgroup size: about 64 pixels per invocation, 16 to 256 (or the device's
// largest) on a hardware GPU, at most SOFTWARE_ROAD_LANES on a software adapter.
import { describe, expect, it } from 'vitest';
import { roadLanes, SOFTWARE_ROAD_LANES } from '../src/faithfulness-stages.js';

function fakeDevice(architecture: string, largest = 256): GPUDevice {
  return {
    limits: { maxComputeInvocationsPerWorkgroup: largest, maxComputeWorkgroupSizeX: largest },
    adapterInfo: { vendor: 'test', architecture, device: '', description: '' },
  } as unknown as GPUDevice;
}

describe('roadLanes', () => {
  it.each([
    [1, 16, 16],
    [32 * 32, 16, 16],
    [32 * 32 + 1, 32, 32],
    [64 * 64, 64, 64],
    [96 * 96, 256, SOFTWARE_ROAD_LANES],
    [224 * 224, 256, SOFTWARE_ROAD_LANES],
  ])('%i pixels: %i lanes on a hardware GPU, %i on SwiftShader', (pixels, hardware, software) => {
    expect(roadLanes(pixels, fakeDevice('ampere'))).toBe(hardware);
    expect(roadLanes(pixels, fakeDevice('swiftshader'))).toBe(software);
  });

  it("never exceeds the device's workgroup limit", () => {
    expect(roadLanes(224 * 224, fakeDevice('ampere', 128))).toBe(128);
    expect(roadLanes(224 * 224, fakeDevice('swiftshader', 32))).toBe(32);
    expect(roadLanes(1, fakeDevice('ampere', 8))).toBe(8);
  });
});
