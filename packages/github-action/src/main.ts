import { preferBaselineWasm } from '@acr-login/core';
import { main, run } from './run.ts';

preferBaselineWasm();
void run(main);
