// Mutation testing of the deciders (`npm run test:mutation`): too slow for `npm test` or CI, run it
// after changing a decider or its spec. Reports land in reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/modules/**/*.decider.ts'],
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
