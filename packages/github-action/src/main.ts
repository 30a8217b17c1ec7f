import { main, run } from './run.ts';

void run(main);
