// Preloaded into each measured process: records its peak resident set size (KiB), the CPU time it used
// (user + system, every thread, microseconds) and, on Linux, its main thread's CPU time (microseconds) when it
// exits. The main thread's time is the steadiest measure of a start-up: it leaves out GC and libuv threads.
const { appendFileSync, readFileSync } = require('node:fs');

function mainThreadUs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return Number.NaN;
  }
}

process.on('exit', () => {
  if (!process.env.BENCH_RSS_FILE) return;
  const usage = process.resourceUsage();
  appendFileSync(
    process.env.BENCH_RSS_FILE,
    `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime} ${mainThreadUs()}\n`,
  );
});
