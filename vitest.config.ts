import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'bench/vitest.config.ts'].filter((p) => p.includes('*') || existsSync(p)),
    reporters: ['default', './scripts/summary-reporter.ts'],
    // Dawn and SwiftShader share 2 cores; more forks only thrash.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
