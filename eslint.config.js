import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'vm-fixtures/build/', 'coverage/', 'cockpit/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // The Cockpit plugin is browser code: its names (DOM, cockpit.js's `cockpit`) are checked by
  // tsc with cockpit/tsconfig.json (lib DOM), as typescript-eslint advises for no-undef.
  { files: ['cockpit/src/**/*.ts'], rules: { 'no-undef': 'off' } },
);
