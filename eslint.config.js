// Lint enforces the dependency direction of ARCHITECTURE.md: everything points inward to
// the pure core in journey/, workflow code stays deterministic, and the browser bundle
// never pulls in server code.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** `no-restricted-imports` patterns for "may not import these folders of ours". */
const ourFolders = (...folders) =>
  folders.map((folder) => ({
    group: [`**/${folder}`, `**/${folder}/**`, `../${folder}/*`, `../../${folder}/*`],
    message: `Dependency direction: this layer may not import ${folder}/ (see ARCHITECTURE.md).`,
  }));

const noNodeBuiltins = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in this layer (see ARCHITECTURE.md).' })),
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', '**/dist/**', 'artifacts/**', 'bench/results/**', '.data/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'No `export *` barrels: export names explicitly.' },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { requireDefaultForNonUnion: false, considerDefaultExhaustiveForUnions: false }],
    },
  },
  {
    // The pure core: zod only, no Node, no I/O, no clock, no unseeded randomness.
    files: ['journey/**/*.ts'],
    ignores: ['journey/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNodeBuiltins,
          patterns: [
            ...ourFolders('workflows', 'activities', 'api', 'editor', 'templates', 'store', 'embedded', 'worker', 'cli', 'bench', 'test'),
            { regex: '^(?!zod$|zod/|\\.)', message: 'journey/ may import zod and its own files only.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The core takes `now` as a parameter.' },
        { object: 'Math', property: 'random', message: 'The core takes a seeded random source.' },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'require'],
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no activity implementations.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNodeBuiltins,
          patterns: [
            ...ourFolders('api', 'editor', 'store', 'embedded', 'worker', 'cli', 'bench'),
            {
              group: ['**/activities', '**/activities/**', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows use `import type` of activities and proxyActivities().',
            },
            { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity', 'mongodb', 'nodemailer', 'twilio'], message: 'Not deterministic: not allowed in workflow code.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the workflow-safe random from @temporalio/workflow only through the core.' },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    ignores: ['activities/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ourFolders('workflows', 'api', 'editor', 'worker', 'cli', 'bench') }],
    },
  },
  {
    files: ['store/**/*.ts'],
    ignores: ['store/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ourFolders('workflows', 'activities', 'api', 'editor', 'worker', 'cli', 'bench') }],
    },
  },
  {
    files: ['runtime/**/*.ts'],
    ignores: ['runtime/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...ourFolders('activities', 'editor', 'worker', 'cli', 'bench'),
            { group: ['**/api/*', '!**/api/wire', '!**/api/wire/**'], message: 'Orchestration does not depend on the HTTP API (its wire schemas only).' },
            { group: ['**/workflows/*', '!**/workflows/definitions', '!**/workflows/definitions.ts'], message: 'Orchestration imports only signal/query definitions from workflows/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    ignores: ['api/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...ourFolders('activities', 'editor', 'worker', 'cli', 'bench'),
            { group: ['**/workflows/*', '!**/workflows/definitions', '!**/workflows/definitions.ts'], message: 'The API imports only signal/query definitions from workflows/.' },
          ],
        },
      ],
    },
  },
  {
    // The browser bundle: the core and the API's wire types only.
    files: ['editor/**/*.ts', 'editor/**/*.tsx'],
    ignores: ['editor/**/*.test.ts', 'editor/**/*.test.tsx', 'editor/vite.config.ts', 'editor/e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNodeBuiltins,
          patterns: [
            ...ourFolders('workflows', 'activities', 'store', 'embedded', 'worker', 'cli', 'bench'),
            { group: ['**/api/*', '!**/api/wire', '!**/api/wire/**', '!**/api/wire.ts'], message: 'The editor imports only the API wire types (api/wire).' },
            { group: ['express', 'mongodb', 'nodemailer', 'twilio', '@temporalio/*'], message: 'Server packages do not belong in the browser bundle.' },
          ],
        },
      ],
    },
  },
);
