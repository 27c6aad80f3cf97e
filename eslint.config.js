// One type-aware linter for the whole workspace. The dependency direction of
// docs/architecture.md is enforced here: domain ← client/server ← apps.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Libraries that do I/O; the pure domain package must never import them. */
const IO_LIBRARIES = [
  'rxdb',
  'rxdb/*',
  'dexie',
  'kysely',
  'kysely/*',
  'hono',
  'hono/*',
  'better-sqlite3',
  'pg',
  'jose',
  'argon2',
  'node:*',
  'fs',
  'path',
  'http',
  'crypto',
  'child_process',
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-types/**',
      '**/node_modules/**',
      'coverage/**',
      'artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.ts'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apps/**', '@smartkirana/*-app'], message: 'Nothing imports from apps/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: IO_LIBRARIES,
              message: 'packages/domain is pure: zod and functions only, no I/O libraries.',
            },
            {
              group: ['@smartkirana/*', '!@smartkirana/domain'],
              message: 'packages/domain depends on no other workspace package.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/testing/**/*.ts'],
    rules: {
      // Tests index into fixtures they just built; a failed lookup fails the test anyway.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
