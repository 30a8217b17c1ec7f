// One credential helper process for the concurrency test: `node --import tsx worker.ts <stateFile>
// <countFile>`. It prints "ready", waits for a line on stdin so that every worker asks at the same moment,
// then answers one `get` for contoso.azurecr.io. Its renewal appends a line to <countFile> and takes 200 ms,
// long enough for every other worker to find the token due and wait on the lock.
import { appendFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCredentialHelper } from '../../src/renew/index.ts';

const [stateFile, countFile] = process.argv.slice(2);
if (stateFile === undefined || countFile === undefined)
  throw new Error('usage: worker.ts <stateFile> <countFile>');

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

const result = await runCredentialHelper({
  stateFile,
  command: 'get',
  input: 'contoso.azurecr.io',
  clock: { now: () => Date.now() },
  renewer: () => async (server) => {
    await appendFile(countFile, `${process.pid} ${server}\n`);
    await sleep(200);
    return { password: `rt-renewed-by-${process.pid}`, expiresOn: new Date(Date.now() + 3_600_000) };
  },
});
process.stdout.write(`${result.stdout}\n`);
process.stderr.write(result.stderr);
process.exitCode = result.code;
