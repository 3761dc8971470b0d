// Lint: TypeScript rules plus the layer rules of ARCHITECTURE §1 ("Do not relax these rules", as VS Code
// says of its own). The compiler already refuses Node types in src-shared/common and src-renderer (one
// tsconfig per layer); these rules also refuse the imports themselves, including other layers' files.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'child_process',
  'net',
  'tls',
  'http',
  'https',
  'dgram',
  'stream',
  'stream/*',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'module',
  'process',
  'buffer',
  'events',
  'readline',
  'dns',
  'cluster',
  'vm',
];

/** Files allowed past 500 lines: the simulators and the protocol frame codecs (see the max-lines block below). */
export const MAX_LINES_EXCEPTIONS = ['src-main/devices/simulator/**', 'src-main/devices/**/*-frames.ts'];

const layer = (message, patterns, ...more) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }, ...more] }],
});

// SQL only in the store: services and hosts reach the database through repositories (src-main/store/; the
// server's own store is src-server/store/).
const SQL_IN_STORE_ONLY = {
  group: ['better-sqlite3'],
  message: 'SQL only in the store: better-sqlite3 is imported under src-main/store/ (and src-server/store/) only; call a repository there.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-renderer/', 'dist-electron/', 'release/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // zod as a namespace import, as zod 4 recommends: `import { z }` takes zod's whole namespace object, and
      // with it every locale and the JSON Schema converters, into the CLI bundle (755 kB instead of 170 kB).
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier",
          message: "Import zod as `import * as z from 'zod'` (a named import bundles all of zod: scripts/build-cli.ts).",
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.{ts,js}', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-shared/common/**/*.ts'],
    rules: layer('src-shared/common is pure: no Node built-ins, no electron, no DOM, nothing outside itself (ARCHITECTURE §1).', [
      ...NODE_BUILTINS,
      'electron',
      '**/src-shared/node/**',
      '**/src-main/**',
      '**/src-renderer/**',
      '**/src-server/**',
      '../node/*',
      '../../src-*/**',
    ]),
  },
  {
    files: ['src-shared/node/**/*.ts'],
    rules: layer('src-shared/node may import src-shared/common only (ARCHITECTURE §1).', [
      'electron',
      '**/src-main/**',
      '**/src-renderer/**',
      '**/src-server/**',
    ]),
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: layer(
      'src-renderer runs in a sandboxed page: it imports src-shared/common only, never Node, electron, src-main or src-shared/node (ARCHITECTURE §1).',
      [...NODE_BUILTINS, 'electron', '**/src-main/**', '**/src-shared/node/**', '**/src-server/**'],
    ),
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**', 'src-main/store/**'],
    rules: layer(
      'Only src-main/app imports electron, and src-main never imports src-server (ARCHITECTURE §1).',
      ['electron', 'electron/*', '**/src-server/**', '**/src-renderer/**'],
      SQL_IN_STORE_ONLY,
    ),
  },
  {
    // The hosts (CLI, web host) reach a data directory through the services only (BaselineApp, DataDirectoryReader).
    files: ['src-main/host/**/*.ts'],
    rules: layer(
      'Only src-main/app imports electron, and src-main never imports src-server (ARCHITECTURE §1).',
      ['electron', 'electron/*', '**/src-server/**', '**/src-renderer/**'],
      SQL_IN_STORE_ONLY,
      {
        group: ['**/store/*', '**/store/**'],
        message: 'src-main/host reaches data only through services (BaselineApp, DataDirectoryReader), never a store module.',
      },
    ),
  },
  {
    files: ['src-main/store/**/*.ts'],
    rules: layer('Only src-main/app imports electron, and src-main never imports src-server (ARCHITECTURE §1).', [
      'electron',
      'electron/*',
      '**/src-server/**',
      '**/src-renderer/**',
    ]),
  },
  {
    files: ['src-main/app/**/*.ts'],
    rules: layer(
      'The Electron shell never imports src-server or the renderer.',
      ['**/src-server/**', '**/src-renderer/**'],
      SQL_IN_STORE_ONLY,
    ),
  },
  {
    files: ['src-server/**/*.ts'],
    ignores: ['src-server/store/**'],
    rules: layer(
      'src-server never imports src-main (ARCHITECTURE §1).',
      ['electron', '**/src-main/**', '**/src-renderer/**'],
      SQL_IN_STORE_ONLY,
    ),
  },
  {
    files: ['src-server/store/**/*.ts'],
    rules: layer('src-server never imports src-main (ARCHITECTURE §1).', ['electron', '**/src-main/**', '**/src-renderer/**']),
  },
  {
    // No module over 500 lines (CONVENTIONS 4), screens, tests and scripts included: split it along its seams.
    // Exceptions: the simulators, and the protocol frame codecs, whose length is the protocol's (one encoder and
    // decoder per frame of the spec). Files ESLint does not read are held to it by test/unit/tooling/max-lines.test.ts.
    files: [
      'src-main/**/*.ts',
      'src-shared/**/*.ts',
      'src-server/**/*.ts',
      'src-renderer/**/*.{ts,tsx}',
      'test/**/*.ts',
      'scripts/**/*.ts',
    ],
    ignores: MAX_LINES_EXCEPTIONS,
    rules: { 'max-lines': ['error', { max: 500, skipBlankLines: false, skipComments: false }] },
  },
);
