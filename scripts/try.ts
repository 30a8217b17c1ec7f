/**
 * Runs the action (or, with --ado, the Azure Pipelines task) against the emulator with the inputs you
 * give as arguments, then pulls with skopeo and runs the post step:
 *
 *   npm run try -- --registry contoso --auth-type service-principal --client-id @sp --tenant-id @tenant --client-secret @sp-secret
 *   npm run try:ado -- --azureSubscription wif --registry contoso
 *
 * Inputs are arguments because names with hyphens (client-id) cannot be exported from bash. Values
 * starting with @ stand for the emulator's made-up identities and secrets (see --help).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  ADO_SERVICE_CONNECTION,
  type Emulator,
  HELLO_REPOSITORY,
  REGISTRIES,
  startEmulator,
} from '../test/emulator/index.ts';
import { inputEnv, newJob, runStep, stateEnv } from '../test/support/actions-runner.ts';
import {
  agentEnv,
  endpoint,
  runTask,
  taskInputEnv,
  taskOutputs,
  taskVariables,
} from '../test/support/azure-pipelines-agent.ts';
import { BUNDLES } from '../test/support/bundles.ts';
import { skopeoInspect } from '../test/support/clients.ts';
import { bold, maskedValues, renderLog, renderOutputs, renderSummary } from './lib/show.ts';

const ROOT = resolve(import.meta.dirname, '..');

export interface TryArguments {
  readonly ado: boolean;
  readonly pull: boolean;
  readonly post: boolean;
  readonly help: boolean;
  readonly inputs: Readonly<Record<string, string>>;
}

/** `--name value` or `--name=value` pairs; --ado, --no-pull, --no-post and --help belong to this script. */
export function parseTryArguments(argv: readonly string[]): TryArguments {
  const inputs: Record<string, string> = {};
  const flags = { ado: false, pull: true, post: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--ado') flags.ado = true;
    else if (arg === '--no-pull') flags.pull = false;
    else if (arg === '--no-post') flags.post = false;
    else if (arg === '--help' || arg === '-h') flags.help = true;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new Error(`--${name} needs a value, e.g. --${name} contoso`);
      inputs[name] = value;
    } else {
      throw new Error(`"${arg}" is not an input: give inputs as --name value, e.g. --registry contoso`);
    }
  }
  return { ...flags, inputs };
}

/** The input names each product accepts: action.yml's, or task.json's names and aliases. */
export function knownInputs(ado: boolean): string[] {
  if (ado) {
    const task = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as {
      inputs: { name: string; aliases?: string[] }[];
    };
    return task.inputs.flatMap((input) => [input.name, ...(input.aliases ?? [])]);
  }
  return Object.keys(
    (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs,
  );
}

/** The emulator's made-up identities and secrets, by the names a user types after @. */
export function placeholders(emulator: Emulator): Record<string, string> {
  const { scenario } = emulator;
  const { apps, managedIdentities } = scenario;
  const contoso = scenario.registries.get(REGISTRIES.contoso);
  const token = contoso?.tokens[0];
  return {
    tenant: scenario.tenantId,
    'github-app': apps.githubApp.clientId,
    sp: apps.spSecret.clientId,
    'sp-secret': apps.spSecret.secret ?? '',
    'sp-cert': apps.spCert.clientId,
    cert: apps.spCert.certPem ?? '',
    'cert-file': apps.spCert.certFile ?? '',
    'pull-only': apps.spPullOnly.clientId,
    'pull-only-secret': apps.spPullOnly.secret ?? '',
    'no-role': apps.spNoRole.clientId,
    'no-role-secret': apps.spNoRole.secret ?? '',
    'user-mi': managedIdentities.userMi.clientId,
    'user-mi-resource-id': managedIdentities.userMi.resourceId ?? '',
    'admin-user': contoso?.admin?.username ?? '',
    'admin-password': contoso?.admin?.password ?? '',
    'token-user': token?.username ?? '',
    'token-password': token?.password ?? '',
    creds: JSON.stringify({
      clientId: apps.spSecret.clientId,
      clientSecret: apps.spSecret.secret,
      tenantId: scenario.tenantId,
    }),
  };
}

/** Replaces @name values with the emulator's; an unknown @name is an error that lists the known ones. */
export function resolveValues(
  inputs: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => {
      if (!value.startsWith('@')) return [name, value];
      const known = values[value.slice(1)];
      if (known === undefined) {
        throw new Error(
          `--${name} ${value}: the emulator has no "${value}". Use one of ${Object.keys(values)
            .map((k) => `@${k}`)
            .join(', ')}.`,
        );
      }
      return [name, known];
    }),
  );
}

/** Emulated Azure Resource Manager connections for --azureSubscription. */
function connection(emulator: Emulator, kind: string): Record<string, string> {
  const { apps, tenantId, managedIdentities } = emulator.scenario;
  const id = ADO_SERVICE_CONNECTION.id;
  switch (kind) {
    case 'wif':
      return endpoint(id, 'WorkloadIdentityFederation', {
        serviceprincipalid: apps.adoApp.clientId,
        tenantid: tenantId,
      });
    case 'sp-secret':
    case 'no-role':
      return endpoint(id, 'ServicePrincipal', {
        serviceprincipalid: (kind === 'sp-secret' ? apps.spSecret : apps.spNoRole).clientId,
        tenantid: tenantId,
        authenticationType: 'spnKey',
        serviceprincipalkey: (kind === 'sp-secret' ? apps.spSecret : apps.spNoRole).secret ?? '',
      });
    case 'sp-cert':
      return endpoint(id, 'ServicePrincipal', {
        serviceprincipalid: apps.spCert.clientId,
        tenantid: tenantId,
        authenticationType: 'spnCertificate',
        servicePrincipalCertificate: apps.spCert.certPem ?? '',
      });
    case 'msi':
      return endpoint(
        id,
        'ManagedServiceIdentity',
        { tenantid: tenantId },
        { environment: 'AzureCloud', msiclientId: managedIdentities.userMi.clientId },
      );
    default:
      throw new Error(
        `--azureSubscription ${kind}: the emulator has the connections wif, sp-secret, sp-cert, msi and no-role (a service principal without a role).`,
      );
  }
}

const HELP = `Runs the action (or the Azure Pipelines task with --ado) against the emulator, with your inputs.

  npm run try -- --registry contoso --auth-type service-principal --client-id @sp --tenant-id @tenant --client-secret @sp-secret
  npm run try -- --registry contoso --client-id @github-app --tenant-id @tenant      (GitHub OIDC)
  npm run try -- --registry contoso --auth-type managed-identity --client-id @user-mi
  npm run try -- --registry public --auth-type anonymous
  npm run try:ado -- --azureSubscription wif --registry contoso
  npm run try:ado -- --authType usernamePassword --registry contoso --username @admin-user --password @admin-password

Registries: contoso, noarm (authentication-as-arm disabled), public (anonymous pull), fabrikam.azurecr.cn
(with --environment AzureChinaCloud), usgov.azurecr.us (AzureUSGovernment).
Values: @tenant, @github-app, @sp, @sp-secret, @sp-cert, @cert, @cert-file, @pull-only, @pull-only-secret,
@no-role, @no-role-secret, @user-mi, @user-mi-resource-id, @admin-user, @admin-password, @token-user,
@token-password, @creds. Task connections (--azureSubscription): wif, sp-secret, sp-cert, msi, no-role.
Flags: --no-pull (skip the skopeo pull), --no-post (skip the post step).`;

async function tryAction(emulator: Emulator, args: TryArguments, inputs: Record<string, string>) {
  const job = await newJob(emulator.dir);
  const { scenario } = emulator;
  const workload =
    inputs['auth-type'] === 'workload-identity'
      ? {
          AZURE_FEDERATED_TOKEN_FILE: scenario.workload.tokenFile,
          AZURE_CLIENT_ID: scenario.apps.workloadApp.clientId,
          AZURE_TENANT_ID: scenario.tenantId,
        }
      : {};
  console.log(bold('Run acr-login/acr-login@v1'));
  const main = await runStep(BUNDLES.action.main, job, {
    ...emulator.env(),
    ...workload,
    ...inputEnv(inputs),
  });
  const secrets = [...maskedValues(main.stdout), main.outputs.password ?? ''];
  console.log(renderLog(main.stdout + main.stderr, secrets));
  console.log(bold('\nStep outputs'));
  console.log(renderOutputs(main.outputs, secrets));
  if (main.summary.trim() !== '') {
    console.log(bold('\nJob summary'));
    console.log(renderSummary(main.summary));
  }
  if (main.code !== 0) return main.code;
  if (args.pull) await pull(emulator, job.home, main.outputs['login-servers'], main.outputs['docker-config']);
  if (args.post) {
    console.log(bold('\nPost Run acr-login/acr-login@v1'));
    const post = await runStep(BUNDLES.action.post, job, { ...emulator.env(), ...stateEnv(main.state) });
    console.log(renderLog(post.stdout + post.stderr, secrets));
    return post.code;
  }
  return 0;
}

async function tryTask(emulator: Emulator, args: TryArguments, inputs: Record<string, string>) {
  const home = await mkdtemp(join(emulator.dir, 'agent-'));
  const env = await agentEnv(emulator, home);
  const subscription = inputs.azureSubscription ?? inputs.connectedServiceNameARM;
  const values = { ...inputs };
  let connectionEnv: Record<string, string> = {};
  if (subscription !== undefined && subscription !== '') {
    connectionEnv = connection(emulator, subscription);
    values.azureSubscription = ADO_SERVICE_CONNECTION.id;
    delete values.connectedServiceNameARM;
  }
  console.log(bold('AcrLogin@1'));
  const main = await runTask('main', { ...env, ...taskInputEnv(values), ...connectionEnv });
  const outputs = Object.fromEntries(Object.entries(taskOutputs(main)).map(([k, v]) => [k, v.value]));
  const secrets = maskedValues(main.stdout);
  console.log(renderLog(main.stdout + main.stderr, secrets));
  console.log(bold('\nOutput variables'));
  console.log(renderOutputs(outputs, secrets));
  if (main.code !== 0 || main.stdout.includes('##vso[task.complete result=Failed')) return 1;
  if (args.pull) await pull(emulator, home, outputs.loginServers, outputs.dockerConfig);
  if (args.post) {
    console.log(bold('\nPost-job: AcrLogin@1'));
    const post = await runTask('post', { ...env, ...taskVariables(main) });
    console.log(renderLog(post.stdout + post.stderr, secrets));
    return post.code;
  }
  return 0;
}

/** skopeo inspects the emulator's seeded image on each registry logged in to, with the written config. */
async function pull(
  emulator: Emulator,
  home: string,
  servers: string | undefined,
  config: string | undefined,
) {
  for (const server of JSON.parse(servers || '[]') as string[]) {
    const image = `${server}/${HELLO_REPOSITORY}:latest`;
    console.log(bold(`\nRun skopeo inspect docker://${image}`));
    const authFile =
      config &&
      (await readFile(config)
        .then(() => config)
        .catch(() => undefined));
    const result = await skopeoInspect(image, {
      env: emulator.env({ HOME: home }),
      ...(authFile ? { authFile } : {}),
    });
    console.log(
      result.code === 0
        ? `  pulled the manifest of ${image} with ${authFile ? `the credentials in ${authFile}` : 'no credentials'}`
        : renderLog(result.stderr, []),
    );
  }
}

async function main(): Promise<number> {
  const args = parseTryArguments(process.argv.slice(2));
  if (args.help || Object.keys(args.inputs).length === 0) {
    console.log(HELP);
    return 0;
  }
  const known = knownInputs(args.ado);
  const unknown = Object.keys(args.inputs).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `${unknown.map((n) => `--${n}`).join(', ')}: not ${args.ado ? 'an input of task.json' : 'an input of action.yml'}. Inputs: ${known.join(', ')}.`,
    );
  }
  console.log(
    'The emulator plays Azure (Microsoft Entra ID, IMDS, the OIDC token services and the ACR token service) in front of a real docker-registry on this machine; skopeo pulls, so no Docker daemon is needed.\n',
  );
  const emulator = await startEmulator();
  try {
    const inputs = resolveValues(args.inputs, placeholders(emulator));
    return args.ado ? await tryTask(emulator, args, inputs) : await tryAction(emulator, args, inputs);
  } finally {
    await emulator.stop();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(2);
    },
  );
}
