import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    // A bound for a hung test, not a speed check (benchmarks measure speed): 120 s. At 30 s, tests
    // of 15–20 s on a quiet host (a PostgreSQL monitors test of 960 decisions over HTTP, 20 s) ran
    // past it in CI when the host ran at a third of its speed (2026-12-04: 679 s for the suite
    // against 416 s on a quiet run).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files share their worker's module cache: importing the server's modules again for each
    // of 200-odd files took a third of the suite's time (src/decide: 116 s isolated, 74 s shared,
    // 2026-12-03). Tests must not leave state behind in modules (mocks, timers, environment).
    isolate: false,
    // Four test files at a time on two cores: most wait on disks, PostgreSQL, child servers and
    // timers, so two workers left the cores half idle (the whole suite 677 s with 2, 360 s with 4,
    // 2026-12-03, all passing).
    maxWorkers: 4,
    globalSetup: ['./test/global-setup.ts'],
  },
});
