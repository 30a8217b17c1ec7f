/**
 * The main job on the emulator, as a user sees it in a workflow log: the action logs docker in with
 * GitHub OIDC, skopeo pulls an image with the written credentials, and the post step logs out again.
 * Only Azure is emulated; the registry, skopeo and the action bundle are the real ones.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HELLO_REPOSITORY, REGISTRIES, startEmulator } from '../test/emulator/index.ts';
import { inputEnv, NODE, newJob, runStep, stateEnv } from '../test/support/actions-runner.ts';
import { BUNDLES } from '../test/support/bundles.ts';
import { skopeo } from '../test/support/clients.ts';
import { bold, maskedValues, renderLog, renderOutputs, renderSummary } from './lib/show.ts';

console.log(
  'An emulator plays Azure here (Microsoft Entra ID, the GitHub OIDC token service and the ACR token service, in front of a real docker-registry), and skopeo pulls the image, so no Docker daemon is needed.',
);
console.log(`The action's bundle runs on ${NODE === process.execPath ? `Node ${process.version}` : NODE}.\n`);

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
  const main = await runStep(BUNDLES.action.main, job, { ...emulator.env(), ...inputEnv(inputs) });
  const elapsed = Math.round(performance.now() - started);
  const secrets = [...maskedValues(main.stdout), main.outputs.password ?? ''];
  console.log(renderLog(main.stdout + main.stderr, secrets));
  if (main.code !== 0) throw new Error(`the login step failed (exit code ${main.code})`);
  console.log(`  (the step took ${elapsed} ms)`);

  console.log(bold('\nStep outputs'));
  console.log(renderOutputs(main.outputs, secrets));

  // The job's own Docker config under RUNNER_TEMP, which the later steps get as DOCKER_CONFIG.
  const dockerConfig = main.outputs['docker-config'] ?? job.files.docker;
  console.log(bold(`\nRun cat "${dockerConfig}"`));
  console.log(renderLog(await readFile(dockerConfig, 'utf8'), secrets));

  console.log(bold(`\nRun skopeo copy docker://${image} oci:hello:latest`));
  const target = join(job.dir, 'hello-oci');
  const env = emulator.env({ HOME: job.home, REGISTRY_AUTH_FILE: dockerConfig });
  const pulled = await skopeo(['--insecure-policy', 'copy', `docker://${image}`, `oci:${target}:latest`], {
    env,
  });
  console.log(renderLog(pulled.stdout + pulled.stderr, secrets));
  if (pulled.code !== 0) throw new Error(`skopeo could not pull ${image} with the written credentials`);

  console.log(bold('\nPost Run acr-login/acr-login@v1'));
  const post = await runStep(BUNDLES.action.post, job, { ...emulator.env(), ...stateEnv(main.state) });
  console.log(renderLog(post.stdout + post.stderr, secrets));
  const left = await readFile(dockerConfig, 'utf8').catch(() => undefined);
  console.log(
    `  Docker config after logout: ${left === undefined ? 'removed (the login created it)' : left}`,
  );

  console.log(bold('\nJob summary'));
  console.log(renderSummary(main.summary));
} finally {
  await emulator.stop();
}
