import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn the CLI and an emulator per file; two cores means two files at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    // Nothing a test runs may probe the metadata server's non-loopback address for credentials.
    env: { METADATA_SERVER_DETECTION: 'none' },
    hookTimeout: 60_000,
  },
});
