import { setFlagsFromString } from 'node:v8';

/**
 * For a process that makes a handful of requests and exits (a CI step), not for a library host: undici
 * parses HTTP with llhttp compiled to WebAssembly, and V8's optimising tier recompiles that module on
 * background threads, which the process then waits for at exit. On a 2-core runner that cost about
 * 150 ms per step, far more than baseline code loses on a few small responses. Call it before the first
 * request.
 */
export function preferBaselineWasm(): void {
  setFlagsFromString('--liftoff-only');
}
