import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { commandLines } from '../../../test/support/log-commands.ts';
import { tempDir } from '../../../test/support/temp-dirs.ts';
import { type Agent, formatCommand, openAgent } from '../src/agent.ts';

/**
 * The task speaks the agent's protocol itself; azure-pipelines-task-lib, which it used to load for that,
 * is the reference: the same calls with the same environment must print the same commands and leave the
 * same environment behind.
 */
const require = createRequire(join(import.meta.dirname, '../package.json'));
const TASK_LIB = require.resolve('azure-pipelines-task-lib/task.js');
const { TaskCommand } = require('azure-pipelines-task-lib/taskcommand.js') as {
  TaskCommand: new (
    command: string,
    properties: Record<string, string> | null,
    message: string,
  ) => { toString(): string };
};

describe('formatCommand escapes as task-lib does', () => {
  test.each([
    ['task.setsecret', {}, 'plain'],
    ['task.setvariable', { variable: 'out', isOutput: 'true', issecret: 'false' }, 'a;b]c%d\r\ne'],
    ['task.issue', { type: 'error', source: 'TaskInternal', correlationId: '' }, '100% done\nnext'],
    ['task.settaskvariable', { variable: 'semi;colon]bracket%\n', issecret: 'true' }, '{"a":[1]}'],
    ['task.prependpath', {}, 'C:\\agent\\_work\\_temp\\acr-login-x\\bin'],
    ['task.debug', {}, '%AZP25 stays escaped once: %0A'],
  ])('%s %j', (name, properties, data) => {
    expect(formatCommand(name, properties, data)).toBe(new TaskCommand(name, properties, data).toString());
  });
});

/** What the agent passes to a task: inputs, a service connection, variables public and secret. */
function agentEnvironment(temp: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AGENT_TEMPDIRECTORY: temp,
    AGENT_VERSION: '4.265.1',
    SYSTEM_CULTURE: 'en-US',
    INPUT_REGISTRY: ' contoso.azurecr.io ',
    INPUT_AZURESUBSCRIPTION: 'conn',
    INPUT_EMPTY: '',
    ENDPOINT_AUTH_conn: '{"scheme":"ServicePrincipal"}',
    ENDPOINT_AUTH_SCHEME_conn: 'ServicePrincipal',
    ENDPOINT_AUTH_PARAMETER_conn_SERVICEPRINCIPALKEY: 'sp-key',
    ENDPOINT_DATA_conn_ENVIRONMENT: 'AzureCloud',
    SECUREFILE_TICKET_abc: 'ticket',
    AGENT_PROXYURL: 'http://proxy.corp:8080',
    AGENT_PROXYUSERNAME: 'proxy-user',
    SECRET_AGENT_PROXYPASSWORD: 'proxy-pass',
    AGENT_PROXYBYPASSLIST: '["^https?://dev\\\\.azure\\\\.com"]',
    AGENT_CAINFO: '/etc/ssl/corp-ca.pem',
    AGENT_CLIENTCERT: '/etc/ssl/client.pem',
    AGENT_CLIENTCERTKEY: '/etc/ssl/client.key',
    SECRET_AGENT_CLIENTCERTPASSWORD: 'cert-pass',
    VSTS_TASKVARIABLE_ACRLOGINSTATE: ' {"version":1} ',
    VSTS_PUBLIC_VARIABLES: '["Agent.ProxyUrl","Agent.TempDirectory"]',
    VSTS_SECRET_VARIABLES: '["Agent.ProxyPassword","Agent.ClientCertPassword"]',
    COMMAND_CORRELATION_ID: 'corr-1',
  };
}

/** One script of calls, written once against task-lib's names and once against the agent's. */
const SCRIPT = `
const results = {
  registry: tl.getInput('registry'),
  empty: tl.getInput('empty'),
  missing: tl.getInput('missing'),
  scheme: tl.getEndpointAuthorizationScheme('conn', true),
  key: tl.getEndpointAuthorizationParameter('conn', 'serviceprincipalkey', true),
  environment: tl.getEndpointDataParameter('conn', 'environment', true),
  temp: tl.getVariable('Agent.TempDirectory'),
  state: tl.getTaskVariable('acrLoginState'),
  proxy: tl.getHttpProxyConfiguration(),
  certificates: tl.getHttpCertConfiguration(),
};
tl.setSecret('s3cr;et]%');
tl.setVariable('dockerConfig', '/t/docker;x]', false, true);
tl.setVariable('password', 'hidden', true, true);
tl.setVariable('DOCKER_CONFIG', '/t/docker');
tl.setTaskVariable('acrLoginLogout', 'true', false);
results.logout = tl.getTaskVariable('acrLoginLogout');
results.afterSecret = tl.getVariable('password');
tl.prependPath('/t/bin');
tl.warning('careful; 100%\\nsecond line');
tl.setResult(tl.TaskResult.Failed, 'boom]\\nhow to fix');
results.env = Object.keys(process.env).filter((name) => name !== 'PATH').sort();
results.dockerConfigEnv = process.env.DOCKER_CONFIG;
console.log('RESULTS ' + JSON.stringify(results));
`;

/** The agent's calls under task-lib's names, so SCRIPT runs on both. */
function asTaskLib(agent: Agent, env: Record<string, string | undefined>) {
  return {
    TaskResult: { Failed: 2 },
    getInput: (name: string) => agent.input(name),
    getEndpointAuthorizationScheme: (id: string) => agent.authScheme(id),
    getEndpointAuthorizationParameter: (id: string, key: string) => agent.authParameter(id, key),
    getEndpointDataParameter: (id: string, key: string) => agent.dataParameter(id, key),
    getVariable: (name: string) => agent.variable(name),
    getTaskVariable: (name: string) => agent.taskVariable(name),
    getHttpProxyConfiguration: () => agent.proxy() ?? null,
    getHttpCertConfiguration: () => agent.certificates() ?? null,
    setSecret: (value: string) => agent.setSecret(value),
    setVariable: (name: string, value: string, secret?: boolean, isOutput?: boolean) =>
      agent.setVariable(name, value, secret, isOutput),
    setTaskVariable: (name: string, value: string, secret: boolean) =>
      agent.setTaskVariable(name, value, secret),
    prependPath: (dir: string) => agent.prependPath(dir),
    warning: (message: string) => agent.warning(message),
    setResult: (_result: number, message: string) => agent.fail(message),
    env,
  };
}

/** The commands other than debug lines, which task-lib writes for every read. */
const commands = (lines: readonly string[]) =>
  lines.filter((line) => line.startsWith('##vso[') && !line.startsWith('##vso[task.debug]'));

describe('openAgent behaves as task-lib 5 on the same environment', () => {
  const temp = tempDir('acr-login-agent-');
  const env = agentEnvironment(temp);

  const reference = spawnSync(
    process.execPath,
    ['-e', `const tl = require(${JSON.stringify(TASK_LIB)});\n${SCRIPT}`],
    { env, encoding: 'utf8', cwd: temp },
  );
  const referenceLines = reference.stdout.split(/\r?\n/);
  const referenceResults = JSON.parse(
    referenceLines.find((line) => line.startsWith('RESULTS '))?.slice(8) ?? 'null',
  );

  const ownEnv: Record<string, string | undefined> = { ...env };
  const ownLines: string[] = [];
  const agent = openAgent(ownEnv, (line) => ownLines.push(line));
  const tl = asTaskLib(agent, ownEnv);
  const fakeProcess = { env: ownEnv };
  const fakeConsole = { log: (line: string) => ownLines.push(line) };
  new Function('tl', 'process', 'console', SCRIPT)(tl, fakeProcess, fakeConsole);
  const ownResults = JSON.parse(ownLines.find((line) => line.startsWith('RESULTS '))?.slice(8) ?? 'null');

  test('task-lib ran', () => {
    expect(reference.status, reference.stderr).toBe(0);
    expect(referenceResults).not.toBeNull();
  });

  test('the same values read back', () => {
    const { proxy, ...rest } = referenceResults as { proxy: Record<string, unknown> };
    // task-lib adds the proxy URL with the credentials in it; the task builds its own header instead.
    const { proxyFormattedUrl: _, ...proxyFields } = proxy;
    expect(ownResults).toEqual({ ...rest, proxy: proxyFields });
    expect(ownResults).toMatchObject({
      registry: ' contoso.azurecr.io ',
      key: 'sp-key',
      state: '{"version":1}',
      proxy: { proxyPassword: 'proxy-pass', proxyBypassHosts: ['^https?://dev\\.azure\\.com'] },
      certificates: { passphrase: 'cert-pass', keyFile: '/etc/ssl/client.key' },
    });
  });

  test('the same commands, in the same order', () => {
    expect(commands(ownLines)).toEqual(commands(referenceLines));
    expect(commands(ownLines)).toContain(
      '##vso[task.issue type=error;source=TaskInternal;correlationId=corr-1;]boom]%0Ahow to fix',
    );
  });

  test('inputs, connections, secrets and task variables leave the environment', () => {
    expect(ownResults.env).toEqual(referenceResults.env);
    expect(ownResults.env).not.toContain('INPUT_REGISTRY');
    expect(ownResults.env).not.toContain('ENDPOINT_AUTH_PARAMETER_conn_SERVICEPRINCIPALKEY');
    expect(ownResults.env).not.toContain('SECRET_AGENT_PROXYPASSWORD');
    expect(ownResults.env).toContain('ENDPOINT_DATA_conn_ENVIRONMENT');
    expect(ownResults.dockerConfigEnv).toBe('/t/docker');
  });
});

describe('debug lines', () => {
  const debugLines = (variables: Record<string, string>) => {
    const lines: string[] = [];
    openAgent({ ...variables }, (line) => lines.push(line)).debug('detail');
    return lines;
  };

  test.each([
    [{}, ['##vso[task.debug]detail']],
    [{ DISTRIBUTEDTASK_TASKS_NODE_SKIPDEBUGLOGSWHENDEBUGMODEOFF: 'true' }, []],
    [
      { DISTRIBUTEDTASK_TASKS_NODE_SKIPDEBUGLOGSWHENDEBUGMODEOFF: 'true', SYSTEM_DEBUG: 'True' },
      ['##vso[task.debug]detail'],
    ],
  ])('%j', (variables, expected) => {
    expect(debugLines(variables)).toEqual(expected);
  });
});

describe('a secret on more than one line', () => {
  test('is refused, unless the pipeline allows it', () => {
    const lines: string[] = [];
    expect(() => openAgent({}, (line) => lines.push(line)).setSecret('one\ntwo')).toThrow(
      /more than one line/,
    );
    expect(lines).toEqual([]);
    openAgent({ SYSTEM_UNSAFEALLOWMULTILINESECRET: 'true' }, (line) => lines.push(line)).setSecret(
      'one\ntwo',
    );
    expect(lines).toEqual(['##vso[task.setsecret]one%0Atwo']);
  });
});

describe('plain log lines, which the agent shows and never acts on', () => {
  test.each([
    ['Logged in to contoso.azurecr.io', ['Logged in to contoso.azurecr.io']],
    ['x ##vso[task.setvariable variable=PATH]/evil', ['x ##_vso[task.setvariable variable=PATH]/evil']],
    ['x\r##VSO[task.complete result=Failed]', ['x', '##_VSO[task.complete result=Failed]']],
    ['x\n##[error]formatted as an error', ['x', '##_[error]formatted as an error']],
    // The same rule as GitHub's and the credential helper's: a line inert for every CI, whoever shows it again.
    ['::warning::is no command here, 100%', [':_:warning::is no command here, 100%']],
  ])('%j', (message, expected) => {
    const lines: string[] = [];
    openAgent({}, (line) => lines.push(line)).info(message);
    expect(lines).toEqual(expected);
    expect(commandLines(lines.join('\n'), 'azure-pipelines')).toEqual([]);
  });
});
