import { preferBaselineWasm } from '@acr-login/core';
import { post, run } from './run.ts';

preferBaselineWasm();
void run(post);
