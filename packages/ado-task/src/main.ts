import { preferBaselineWasm } from '@acr-login/core';
import { main, run } from './run.ts';

preferBaselineWasm();
// The bundle is dist/ado/main/index.js; task.json is one folder up, in the task folder.
void run(main, import.meta.url);
