import tseslint from 'typescript-eslint';

const nodeModules = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'net', 'http', 'crypto', 'stream', 'url', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'bench-data/', 'test-results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine is platform-free: it receives bytes, it never reads files, spawns or opens sockets.
    files: ['app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', ...nodeModules], message: 'app/ is platform-free: no electron and no node modules.' },
          { group: ['**/main/**', '**/renderer/**', '../../main/*', '../../renderer/*'], message: 'app/ imports nothing outside app/.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', ...nodeModules], message: 'The renderer never touches node or electron.' },
          { group: ['**/main/**'], message: 'renderer/ never imports main/.' },
        ],
      }],
    },
  },
);
