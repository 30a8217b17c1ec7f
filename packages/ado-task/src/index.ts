import { preferBaselineWasm, runStep } from '@acr-login/core';
import { taskHost } from './host.ts';

preferBaselineWasm();
// Main and post-job step alike: the bundle is dist/ado/index.js, beside task.json.
void runStep(taskHost(import.meta.url));
