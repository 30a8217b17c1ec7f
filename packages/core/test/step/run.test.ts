import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dirs.ts';
import { type Host, runStep, type StateName } from '../../src/index.ts';
import { englishText } from '../../src/step/run.ts';
import type { LoginInputKey, StepInputKey } from '../../src/types.ts';

const SERVER = 'contoso.azurecr.io';
const PASSWORD = 'registry-Password-0123456789';

/** A host that keeps what the step does in memory, and answers the registry through a MockAgent. */
function memoryHost(inputs: Partial<Record<LoginInputKey | StepInputKey, string>>, home: string) {
  const events: string[] = [];
  const state = new Map<StateName, string>();
  const outputs = new Map<string, string>();
  const agent = new MockAgent();
  agent.disableNetConnect();
  const registry = agent.get(`https://${SERVER}`);
  registry.intercept({ path: '/v2/', method: 'GET' }).reply(401, '', {
    headers: { 'www-authenticate': `Bearer realm="https://${SERVER}/oauth2/token",service="${SERVER}"` },
  });
  registry
    .intercept({ path: (path) => path.startsWith('/oauth2/token'), method: 'GET' })
    .reply(200, { access_token: 'a' });
  const host: Host = {
    // A vocabulary unlike either CI's, so the test sees that core asks the host for every name.
    words: {
      input: (key) => `<${key}>`,
      authTypeIs: (type) => `<auth ${type}>`,
      authTypeSetting: (type) => `<auth ${type}>`,
    },
    text: englishText,
    input: (key) => inputs[key] ?? '',
    mask: (secret) => events.push(`mask ${secret}`),
    debug: () => {},
    info: (message) => events.push(`info ${message}`),
    warning: (message) => events.push(`warning ${message}`),
    setOutput: (name, value, secret) => outputs.set(name, `${value}${secret ? ' (secret)' : ''}`),
    saveState: (name, value) => state.set(name, value),
    loadState: (name) => state.get(name) ?? '',
    env: { HOME: home, PATH: process.env.PATH },
    dispatcher: () => agent,
    fail: (message) => events.push(`fail ${message}`),
  };
  return { host, events, state, outputs, agent };
}

describe('runStep: main, then post, from one program', () => {
  test('logs in, then logs out, told apart by the saved state', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events, state, outputs } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD },
      home,
    );
    await runStep(host);
    expect(state.get('isPost')).toBe('true');
    expect(events.filter((e) => e.startsWith('fail'))).toEqual([]);
    // The password is masked before any line is logged.
    const masked = events.indexOf(`mask ${PASSWORD}`);
    expect(masked).toBeGreaterThanOrEqual(0);
    expect(masked).toBeLessThan(events.findIndex((e) => e.startsWith('info')));
    expect(events).toContain(
      `info Logging in to ${SERVER} (username-password: <username> and <password> are set, so <auth auto> chose username-password.)`,
    );
    expect(outputs.get('password')).toBe(`${PASSWORD} (secret)`);
    expect(events).toContain(`info Credentials for docker: ${join(home, '.docker', 'config.json')}`);
    const config = JSON.parse(await readFile(join(home, '.docker', 'config.json'), 'utf8'));
    expect(Object.keys(config.auths)).toEqual([SERVER]);

    await runStep(host);
    expect(events.at(-1)).toBe('info Logged out: 1 credential entry removed, 0 credential entries restored.');
  });

  test('renew on a runner without a temp directory fails before the login, with nothing written', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events } = memoryHost(
      {
        registry: 'contoso',
        clientId: '00000000-0000-4000-8000-000000001001',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        clientSecret: 'sp-secret-value',
        renew: 'true',
      },
      home,
    );
    await runStep(host);
    const failures = events.filter((e) => e.startsWith('fail'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("<renew> needs the job's temp directory");
    expect(await readdir(home)).toEqual([]);
  });

  test('renew where its agent could not listen fails before the login, with nothing written', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events } = memoryHost(
      {
        registry: 'contoso',
        clientId: '00000000-0000-4000-8000-000000001001',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        clientSecret: 'sp-secret-value',
        renew: 'true',
      },
      home,
    );
    // A temp dir so deep that the agent's unix socket path would not fit.
    const deep = join(home, 'runner', 'd'.repeat(100));
    const step: Host = { ...host, tempDir: () => deep, addPath: () => {} };
    await runStep(step);
    const failures = events.filter((e) => e.startsWith('fail'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(
      "<renew> keeps the identity's secret in a renewal agent process, never on disk",
    );
    expect(failures[0]).toContain('Set <renew> to false');
    expect(failures[0]).not.toContain('sp-secret-value');
    expect(events.some((e) => e.startsWith('info Logging in'))).toBe(true);
    expect(await readdir(home)).toEqual([]);
  });

  test('an unreadable renewal state fails the post step, and the login is still undone', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events, state } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD },
      home,
    );
    await runStep(host);
    state.set('renewal', '{"dir":');
    await runStep(host);
    expect(events).toContain('info Logged out: 1 credential entry removed, 0 credential entries restored.');
    // The login created the file, so the logout removed it.
    await expect(readFile(join(home, '.docker', 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const failures = events.filter((e) => e.startsWith('fail'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('renewal state saved by the login step is unreadable');
    expect(failures[0]).toContain('Remove the "credHelpers" entries');
  });

  test('with several clients, each file written is logged with the clients that read it', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD, clients: 'docker, podman, helm, oras' },
      home,
    );
    await runStep(host);
    expect(events.filter((e) => e.startsWith('info Credentials for'))).toEqual([
      `info Credentials for docker, oras: ${join(home, '.docker', 'config.json')}`,
      `info Credentials for podman: ${join(home, '.config', 'containers', 'auth.json')}`,
      `info Credentials for helm: ${join(home, '.config', 'helm', 'registry', 'config.json')}`,
    ]);
  });

  test('a bad boolean fails the step in the host words, before anything is written', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events, state } = memoryHost({ registry: 'contoso', logout: 'maybe' }, home);
    await runStep(host);
    expect(events).toEqual([
      'fail <logout> must be true or false, not "maybe".\n  error code: INPUT_INVALID\n' +
        'Troubleshooting: https://github.com/acr-login/acr-login/blob/v1/docs/troubleshooting.md#input_invalid',
    ]);
    expect(state.get('loginState')).toBeUndefined();
  });

  test('a planning error names the input in the host words', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events } = memoryHost({ registry: 'contoso', authType: 'magic' }, home);
    await runStep(host);
    expect(events.at(-1)).toMatch(/^fail <authType> is "magic", which is not an auth type/);
  });

  test('when auto picked OIDC and Entra refused, the step says the secret may be empty', async () => {
    const home = tempDir('acr-login-step-');
    const tenant = '00000000-0000-4000-8000-00000000a11c';
    const client = '00000000-0000-4000-8000-0000000c11e7';
    const { host, events, agent } = memoryHost(
      { registry: 'contoso', clientId: client, tenantId: tenant },
      home,
    );
    agent
      .get('https://login.microsoftonline.com')
      .intercept({ path: `/${tenant}/oauth2/v2.0/token`, method: 'POST' })
      .reply(400, {
        error: 'invalid_client',
        error_description: 'AADSTS70021: No matching federated identity record found.',
      });
    await runStep({
      ...host,
      oidc: { available: () => true, unavailableHint: () => '', token: async () => 'oidc-jwt' },
    });
    const failure = events.at(-1) ?? '';
    expect(failure).toMatch(
      /^fail Registry "contoso.azurecr.io": Microsoft Entra ID refused a token .*AADSTS70021/,
    );
    expect(failure).toContain('If you meant to sign in with a client secret, <clientSecret> is empty');
  });

  test('a post step with nothing saved has nothing to undo', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events, state } = memoryHost({}, home);
    state.set('isPost', 'true');
    await runStep(host);
    expect(events).toEqual(['info Nothing to log out: the login step wrote no credentials.']);
  });
});

describe('isolateConfig: the job logs in to files of its own under its temp directory', () => {
  const fresh = async () => {
    const root = tempDir('acr-login-step-');
    const home = join(root, 'home');
    const temp = join(root, 'temp');
    await mkdir(join(home, '.docker'), { recursive: true });
    await mkdir(temp);
    // A login of the user's own, which the job must neither change nor lose.
    await writeFile(join(home, '.docker', 'config.json'), USER_CONFIG);
    return { home, temp };
  };
  const USER_CONFIG = '{\n\t"auths": {\n\t\t"ghcr.io": {\n\t\t\t"auth": "dXNlcjpwYXNz"\n\t\t}\n\t}\n}';

  test.each<[string, Partial<Record<StepInputKey, string>>, boolean, boolean]>([
    ['on by default', {}, true, true],
    ['"true"', { isolateConfig: 'true' }, true, true],
    ['"false": the files under HOME, as before', { isolateConfig: 'false' }, true, false],
    ['a host that cannot export variables: the files under HOME', {}, false, false],
  ])('%s', async (_, step, canExport, isolated) => {
    const { home, temp } = await fresh();
    const exported: [string, string][] = [];
    const { host, events, outputs } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD, clients: 'docker, podman', ...step },
      home,
    );
    const jobHost: Host = {
      ...host,
      tempDir: () => temp,
      ...(canExport ? { exportVariable: (name: string, value: string) => exported.push([name, value]) } : {}),
    };
    await runStep(jobHost);
    expect(events.filter((e) => e.startsWith('fail'))).toEqual([]);
    const job = join(temp, 'acr-login-config');
    const dockerFile = isolated ? join(job, 'docker', 'config.json') : join(home, '.docker', 'config.json');
    expect(exported).toEqual(
      isolated
        ? [
            ['DOCKER_CONFIG', join(job, 'docker')],
            ['REGISTRY_AUTH_FILE', join(job, 'containers', 'auth.json')],
          ]
        : [],
    );
    expect(outputs.get('dockerConfig')).toBe(dockerFile);
    const said = events.filter((e) => e.startsWith("info The job's later steps get these files"));
    expect(said).toEqual(
      isolated
        ? [
            "info The job's later steps get these files of its own, so other jobs under this HOME neither see nor undo this login: " +
              `DOCKER_CONFIG=${join(job, 'docker')}, REGISTRY_AUTH_FILE=${join(job, 'containers', 'auth.json')}`,
          ]
        : [],
    );
    const written = JSON.parse(await readFile(dockerFile, 'utf8'));
    // The user's entry is carried over into the job file; ours is added beside it.
    expect(Object.keys(written.auths).sort()).toEqual(['contoso.azurecr.io', 'ghcr.io']);
    if (isolated) expect(await readFile(join(home, '.docker', 'config.json'), 'utf8')).toBe(USER_CONFIG);

    await runStep(jobHost);
    expect(events.at(-1)).toBe(
      'info Logged out: 2 credential entries removed, 0 credential entries restored.',
    );
    expect(await readFile(join(home, '.docker', 'config.json'), 'utf8')).toBe(USER_CONFIG);
    // The job file stays for other actions' post steps, without our entry; the runner empties the folder.
    if (isolated) {
      expect(Object.keys(JSON.parse(await readFile(dockerFile, 'utf8')).auths)).toEqual(['ghcr.io']);
    }
  });

  test('job files that cannot be set up fail the step with that, the login written nowhere', async () => {
    const { home, temp } = await fresh();
    // A file where the job's folder must go: the step fails there, before any request.
    const blocked = join(temp, 'not-a-folder');
    await writeFile(blocked, '');
    const exported: string[] = [];
    const { host, events, state } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD },
      home,
    );
    await runStep({ ...host, tempDir: () => blocked, exportVariable: (name) => exported.push(name) });
    expect(events.filter((e) => e.startsWith('fail'))).toEqual([
      expect.stringContaining(`Cannot create the directory "${join(blocked, 'acr-login-config')}": ENOTDIR.`),
    ]);
    expect(exported).toEqual([]);
    expect(state.has('loginState')).toBe(false);
    expect(await readFile(join(home, '.docker', 'config.json'), 'utf8')).toBe(USER_CONFIG);
  });

  test('an anonymous pull writes nothing, so the job gets no files and no variables', async () => {
    const { home, temp } = await fresh();
    const exported: string[] = [];
    const { host, agent } = memoryHost({ registry: 'contoso', authType: 'anonymous' }, home);
    agent
      .get(`https://${SERVER}`)
      .intercept({ path: (path) => path.startsWith('/oauth2/token'), method: 'GET' })
      .reply(200, { access_token: 'a' });
    await runStep({ ...host, tempDir: () => temp, exportVariable: (name) => exported.push(name) });
    expect(exported).toEqual([]);
    expect(await readdir(temp)).toEqual([]);
  });
});

describe('pullSecret: the Kubernetes pull secret file only when asked', () => {
  const run = async (step: Partial<Record<StepInputKey, string>>) => {
    const root = tempDir('acr-login-step-');
    const home = join(root, 'home');
    const temp = join(root, 'temp');
    await mkdir(home);
    await mkdir(temp);
    const { host, events, outputs } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD, ...step },
      home,
    );
    const jobHost: Host = { ...host, tempDir: () => temp };
    await runStep(jobHost);
    return { jobHost, events, outputs, temp };
  };

  test.each<[string, Partial<Record<StepInputKey, string>>]>([
    ['off by default', {}],
    ['"false"', { pullSecret: 'false' }],
  ])('%s: no file is written and the output is empty', async (_, step) => {
    const { events, outputs, temp } = await run(step);
    expect(events.filter((e) => e.startsWith('fail'))).toEqual([]);
    expect(await readdir(temp)).toEqual([]);
    expect(outputs.get('pullSecretFile')).toBe('');
    expect(events.filter((e) => e.includes('pull secret'))).toEqual([]);
  });

  test('"true": one file holding this step\'s registry, removed by the post step', async () => {
    const { jobHost, events, outputs, temp } = await run({ pullSecret: 'true' });
    expect(events.filter((e) => e.startsWith('fail'))).toEqual([]);
    const [name] = await readdir(temp);
    const file = join(temp, name ?? '');
    expect(outputs.get('pullSecretFile')).toBe(file);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).auths)).toEqual([SERVER]);
    await runStep(jobHost);
    expect(await readdir(temp)).toEqual([]);
  });

  test('a value that is not a boolean fails, naming the input, before anything is written', async () => {
    const { events, temp } = await run({ pullSecret: 'kubernetes' });
    const failures = events.filter((e) => e.startsWith('fail'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('<pullSecret> must be true or false, not "kubernetes".');
    expect(await readdir(temp)).toEqual([]);
  });

  test('is skipped with a warning on a runner without a temp directory, never put in the system temp folder', async () => {
    const pullSecrets = async (dir: string) =>
      (await readdir(dir)).filter((name) => name.startsWith('acr-login-pull-secret-'));
    const home = tempDir('acr-login-step-');
    const before = new Set(await pullSecrets(tmpdir()));
    const { host, events, outputs } = memoryHost(
      { registry: 'contoso', username: 'puller', password: PASSWORD, pullSecret: 'true' },
      home,
    );
    await runStep(host);
    expect(events.filter((e) => e.startsWith('fail'))).toEqual([]);
    expect(events).toContain(`warning ${englishText('PullSecretSkipped')}`);
    expect(outputs.get('pullSecretFile')).toBe('');
    expect((await pullSecrets(tmpdir())).filter((name) => !before.has(name))).toEqual([]);
  });
});

describe('a run the host says must not log in as the machine', () => {
  test('auto fails before any request, with the host words for why', async () => {
    const home = tempDir('acr-login-step-');
    const { host, events, state } = memoryHost({ registry: 'contoso' }, home);
    const why = 'This run is a pull request from a fork: it gets no secrets.';
    await runStep({
      ...host,
      untrustedRun: () => why,
      notice: (message) => events.push(`notice ${message}`),
    });
    const failures = events.filter((e) => e.startsWith('fail'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(why);
    expect(failures[0]).toContain('<auth managed-identity>');
    expect(events.filter((e) => e.startsWith('notice') || e.startsWith('info Logging in'))).toEqual([]);
    expect(state.get('loginState')).toBeUndefined();
  });
});
