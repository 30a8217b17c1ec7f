/**
 * The main job on the embedded emulator, as a user sees it in a workflow log: the action logs docker in with
 * GitHub OIDC, skopeo pulls an image with the written credentials, and the post step logs out again.
 * Only the Azure side is emulated; the registry, skopeo and the action bundle are the real ones.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HELLO_REPOSITORY, REGISTRIES, startEmulator } from '../test/emulator/index.ts';
import { inputEnv, newJob, runStep, stateEnv } from '../test/support/actions-runner.ts';
import { skopeo } from '../test/support/clients.ts';

const ROOT = resolve(import.meta.dirname, '..');
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** Shows a step's output the way the runner renders it: commands consumed, secrets masked. */
function render(output: string, secrets: readonly string[]): string {
  const masks = [...secrets];
  const lines: string[] = [];
  for (const line of output.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask?.[1]) {
      masks.push(mask[1]);
      continue;
    }
    if (line.startsWith('::debug::') || line === '') continue;
    let shown = line.replace(
      /^::(error|warning)::/,
      (_, kind: string) => `${kind === 'error' ? 'Error' : 'Warning'}: `,
    );
    for (const secret of masks.sort((a, b) => b.length - a.length)) shown = shown.split(secret).join('***');
    lines.push(`  ${shown}`);
  }
  return lines.join('\n');
}

const emulator = await startEmulator();
try {
  const job = await newJob(emulator.dir);
  const app = emulator.scenario.apps.githubApp;
  const image = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
  const inputs = { registry: 'contoso', 'client-id': app.clientId, 'tenant-id': emulator.scenario.tenantId };

  console.log(bold('Run acr-login/acr-login@v1'));
  console.log(
    `  with:\n${Object.entries(inputs)
      .map(([k, v]) => `    ${k}: ${v}`)
      .join('\n')}`,
  );
  const started = performance.now();
  const main = await runStep(join(ROOT, 'dist/github/main/index.js'), job, {
    ...emulator.env(),
    ...inputEnv(inputs),
  });
  const elapsed = Math.round(performance.now() - started);
  console.log(render(main.stdout + main.stderr, []));
  if (main.code !== 0) throw new Error(`the login step failed (exit code ${main.code})`);
  console.log(`  (step took ${elapsed} ms)`);
  const secrets = [main.outputs.password ?? ''];

  console.log(bold(`\nRun cat "${job.dockerConfig}"`));
  console.log(
    render(await readFile(job.dockerConfig, 'utf8'), [
      ...secrets,
      ...main.stdout
        .split('\n')
        .filter((l) => l.startsWith('::add-mask::'))
        .map((l) => l.slice(12)),
    ]),
  );

  console.log(bold(`\nRun skopeo copy docker://${image} oci:hello:latest`));
  const target = join(job.dir, 'hello-oci');
  const env = emulator.env({ HOME: job.home, REGISTRY_AUTH_FILE: job.dockerConfig });
  const pulled = await skopeo(['--insecure-policy', 'copy', `docker://${image}`, `oci:${target}:latest`], {
    env,
  });
  console.log(render(pulled.stdout + pulled.stderr, secrets));
  if (pulled.code !== 0) throw new Error(`skopeo could not pull ${image} with the written credentials`);

  console.log(bold('\nPost Run acr-login/acr-login@v1'));
  const post = await runStep(join(ROOT, 'dist/github/post/index.js'), job, {
    ...emulator.env(),
    ...stateEnv(main.state),
  });
  console.log(render(post.stdout + post.stderr, secrets));
  const left = await readFile(job.dockerConfig, 'utf8').catch(() => undefined);
  console.log(
    `  Docker config after logout: ${left === undefined ? 'removed (the login created it)' : left}`,
  );

  console.log(bold('\nJob summary'));
  console.log(
    main.summary
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
} finally {
  await emulator.stop();
}
