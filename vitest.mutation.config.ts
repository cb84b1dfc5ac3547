import { defineConfig } from 'vitest/config';

/**
 * Vitest for mutation testing (`npm run test:mutation`): only the pure decider specs, no global setup,
 * so no PostgreSQL starts and every mutant runs in milliseconds.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.decider.spec.ts'],
  },
});
