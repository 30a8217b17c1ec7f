/**
 * Runs the emulator until stopped, for trying the action or the task by hand or in a workflow:
 *   node --import tsx scripts/emulator.ts [--write-env FILE]
 * writes the environment clients need (HTTPS_PROXY, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, ...) and the
 * scenario's names as ACR_EMULATOR_* lines to FILE (e.g. $GITHUB_ENV) and to stdout, then waits.
 */
import { appendFile } from 'node:fs/promises';
import { REGISTRIES, startEmulator } from '../test/emulator/index.ts';

const fileIndex = process.argv.indexOf('--write-env');
const envFile = fileIndex === -1 ? undefined : process.argv[fileIndex + 1];

const emulator = await startEmulator();
const { scenario } = emulator;
const lines = Object.entries({
  ...emulator.env(),
  ACR_EMULATOR_TENANT_ID: scenario.tenantId,
  ACR_EMULATOR_GITHUB_CLIENT_ID: scenario.apps.githubApp.clientId,
  ACR_EMULATOR_SP_CLIENT_ID: scenario.apps.spSecret.clientId,
  ACR_EMULATOR_SP_SECRET: scenario.apps.spSecret.secret ?? '',
  ACR_EMULATOR_REGISTRY: REGISTRIES.contoso,
}).map(([name, value]) => `${name}=${value}`);
if (envFile !== undefined) await appendFile(envFile, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
console.log('emulator ready; Ctrl-C to stop');

const stop = async () => {
  await emulator.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
