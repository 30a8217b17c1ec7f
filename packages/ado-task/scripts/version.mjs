// The task version (task.json) and the extension version (vss-extension.json) move together: the
// Marketplace rejects an extension whose version did not grow, and agents update a task only when its
// version grows. `node version.mjs` checks; `node version.mjs --sync` copies the task version to the
// extension.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const taskFile = new URL('task.json', root);
const extensionFile = new URL('vss-extension.json', root);
const task = JSON.parse(readFileSync(taskFile, 'utf8'));
const extensionText = readFileSync(extensionFile, 'utf8');
const extension = JSON.parse(extensionText);

const { Major, Minor, Patch } = task.version ?? {};
if (![Major, Minor, Patch].every((part) => Number.isInteger(Number(part)) && String(part) !== '')) {
  console.error('task.json: "version" must have integer Major, Minor and Patch.');
  process.exit(1);
}
const taskVersion = `${Major}.${Minor}.${Patch}`;

if (extension.version === taskVersion) {
  console.log(`task.json and vss-extension.json are both at ${taskVersion}`);
} else if (process.argv.includes('--sync')) {
  // Replace only the version value, so the file keeps its layout.
  writeFileSync(extensionFile, extensionText.replace(/("version"\s*:\s*")[^"]*(")/, `$1${taskVersion}$2`));
  console.log(`vss-extension.json: version ${extension.version} -> ${taskVersion}`);
} else {
  console.error(
    `task.json is at ${taskVersion} but vss-extension.json at ${extension.version}. Run "npm run version:sync -w @acr-login/ado-task" (or bump both) so the extension ships the task version it names.`,
  );
  process.exit(1);
}
