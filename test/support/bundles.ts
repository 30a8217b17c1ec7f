import { join, resolve } from 'node:path';

/**
 * Where the committed bundles are, for the tests, the demo and `npm run try`. The one place to change
 * when the bundle layout changes.
 */
const ROOT = resolve(import.meta.dirname, '../..');

export const BUNDLES = {
  action: { main: join(ROOT, 'dist/github/main/index.js'), post: join(ROOT, 'dist/github/post/index.js') },
  task: { main: join(ROOT, 'dist/ado/main/index.js'), post: join(ROOT, 'dist/ado/post/index.js') },
} as const;
