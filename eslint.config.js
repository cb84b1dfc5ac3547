import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'test/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', crypto: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['scripts/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  // Boundaries (README, "Boundaries"): the kernel knows no transport and no domain; infrastructure knows
  // no domain; a module sees another only through its events and its small public read contract.
  {
    files: ['src/event-store/**', 'src/projections/**', 'src/reactions/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)(http|modules)/', message: 'The kernel (event-store, projections, reactions) imports nothing from http/ or modules/.' }],
      }],
    },
  },
  {
    files: ['src/http/**', 'src/database/**', 'src/config/**', 'src/observability/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)modules/', message: 'Infrastructure imports nothing from a domain module.' }],
      }],
    },
  },
  {
    files: ['src/modules/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          // `../<other>/<file>` from a module's folder, unless it is that module's events or public contract.
          regex: '^\\.\\./(?!\\.)[^/]+/(?!.*\\.(events|public)\\.js$)',
          message: "A module imports another only through its `*.events.ts` or `*.public.ts`.",
        }],
      }],
    },
  },
);
