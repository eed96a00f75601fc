// RunOptions.normalize: checked with the other run options before any image is read.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@wgcam/core';
import { runSettings } from '../src/explain/settings.js';

describe('RunOptions.normalize', () => {
  it("defaults to 'output' and passes 'feature' through", () => {
    expect(runSettings({}).normalize).toBe('output');
    expect(runSettings({ normalize: 'feature' }).normalize).toBe('feature');
  });

  it('refuses an unknown convention with a typed error', () => {
    expect(() => runSettings({ normalize: 'pixels' as never })).toThrow(InvalidInputError);
    expect(() => runSettings({ normalize: 'pixels' as never })).toThrow(/unknown normalize 'pixels'; use output or feature/);
  });
});
