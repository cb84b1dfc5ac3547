import { availableParallelism } from 'node:os';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    // Nest needs legacy decorators with emitted metadata; esbuild/oxc cannot emit the metadata.
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
      },
    }),
  ],
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own database on the one embedded server, so files run in parallel safely.
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on two, the files ran one at a time. They
    // mostly wait on PostgreSQL and on the processes they start, so two run well on two cores
    // (measured: 311 s against 390-480 s for the whole suite).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
