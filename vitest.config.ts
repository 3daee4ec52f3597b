import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // 120 s, not 60: with two workers on a machine loaded by other jobs (load 7-10 on 2 cores)
    // stub-bad-input's fuzz test (one file then, now test/stub-bad-input-*), 13 s alone, passed 60 s twice; a hang still fails
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // forks, not threads: measured with threads (2 workers) 120 s instead of 71 s, and
    // stub-bad-input's memory-growth check fails when files share one process's heap
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: on a 2-core machine
    // that is one file at a time. Two workers on two cores: measured below.
    maxWorkers: 2,
  },
});
