import { join, resolve } from 'node:path';

/**
 * Where the committed bundles are, for the tests, the demo and `npm run try`. The one place to change
 * when the bundle layout changes.
 */
const ROOT = resolve(import.meta.dirname, '../..');

const ACTION = join(ROOT, 'dist/github/index.js');
const TASK = join(ROOT, 'dist/ado/index.js');

/** One bundle per product runs both steps; the post step knows itself by the state the main step saved. */
export const BUNDLES = {
  action: { main: ACTION, post: ACTION },
  task: { main: TASK, post: TASK },
} as const;
