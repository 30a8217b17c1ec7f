import { preferBaselineWasm } from '@acr-login/core';
import { post, run } from './run.ts';

preferBaselineWasm();
// The bundle is dist/ado/post/index.js; task.json is one folder up, in the task folder.
void run(post, import.meta.url);
