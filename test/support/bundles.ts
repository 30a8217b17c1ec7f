import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * Where the committed bundles are, for the tests, the demo and `npm run try`: read from action.yml and
 * task.json, as the runner and the agent read them, so a manifest naming a bundle that is not built fails
 * every end-to-end test.
 */
const ROOT = resolve(import.meta.dirname, '../..');

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  runs: { main: string; post: string };
};
const task = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as {
  execution: { Node24: { target: string } };
  postjobexecution: { Node24: { target: string } };
};

/** One bundle per product runs both steps; the post step knows itself by the state the main step saved. */
export const BUNDLES = {
  action: { main: join(ROOT, action.runs.main), post: join(ROOT, action.runs.post) },
  task: {
    main: join(ROOT, 'dist/ado', task.execution.Node24.target),
    post: join(ROOT, 'dist/ado', task.postjobexecution.Node24.target),
  },
} as const;
