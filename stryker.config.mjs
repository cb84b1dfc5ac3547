// Mutation testing of the deciders (`npm run test:mutation`): too slow for `npm test` or CI, run it
// after changing a decider or its spec. Reports land in reports/mutation/. While working on one file:
// `npx stryker run --concurrency 1 --mutate src/modules/x/y.decider.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // The deciders and the pure rules they decide with (totals, a discount's refusal, the methods serving
  // a country, an order's total): a rule there is a decider's rule, so its specs must pin it too.
  mutate: [
    'src/modules/**/*.decider.ts',
    'src/modules/carts/checkout-totals.ts',
    'src/modules/discounts/discounts.public.ts',
    'src/modules/orders/order.events.ts',
    'src/modules/shipping/shipping.public.ts',
  ],
  // Stryker's own plugins (the default) and ours: the ignorer of exhaustive switches' defaults.
  plugins: ['@stryker-mutator/*', './stryker.plugins.mjs'],
  ignorers: ['exhaustive-switch'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Only what the deciders and their specs need goes into the sandboxes.
  ignorePatterns: ['.data', 'dist', 'coverage', 'bench', 'test', 'scripts'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
