// Completes dist/ado as the task folder the agent runs: task.json and icon.png beside main/ and post/
// (ncc has written the bundles). Copies only, so a fresh build is byte for byte the committed one.
import { copyFileSync, mkdirSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const folder = new URL('dist/ado/', root);
mkdirSync(folder, { recursive: true });
copyFileSync(new URL('task.json', root), new URL('task.json', folder));
copyFileSync(new URL('images/task-icon.png', root), new URL('icon.png', folder));
