import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.ts';

// A vitest setup file: it runs before each test file, so this hook is the file's first and, after hooks
// running in reverse, its last: the temp dirs go once nothing of the file's can use them any more.
afterAll(removeTempDirs);
