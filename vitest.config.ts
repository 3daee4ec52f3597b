import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: on a 2-core machine
    // that is one file at a time. Two workers on two cores: measured below.
    maxWorkers: 2,
  },
});
