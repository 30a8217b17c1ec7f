import { post, run } from './run.ts';

void run(post);
