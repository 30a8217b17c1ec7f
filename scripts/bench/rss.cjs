// Preloaded into each measured process: records its peak resident set size (KiB) and the CPU time it used
// (user + system, microseconds) when it exits.
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  if (!process.env.BENCH_RSS_FILE) return;
  const usage = process.resourceUsage();
  appendFileSync(process.env.BENCH_RSS_FILE, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
