import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, test, vi } from 'vitest';
import {
  AcrLoginError,
  bypassesProxy,
  bypassPatterns,
  proxyUrlSecrets,
  tlsFromFiles,
} from '../../core/src/index.ts';
import { failureLines, secretPieces } from '../../core/src/step/report.ts';
import { agentTransport } from '../src/agent-transport.ts';
import type { Localize } from '../src/context.ts';
import { type FailureFacts, federatedCredential, organisationName, taskHints } from '../src/hints.ts';
import { agentProxy, proxyToken } from '../src/proxy.ts';
import { taskWords } from '../src/words.ts';

const messages = (
  JSON.parse(readFileSync(new URL('../../../task.json', import.meta.url), 'utf8')) as {
    messages: Record<string, string>;
  }
).messages;
const loc: Localize = (key, ...params) => format(messages[key] ?? `missing message ${key}`, ...params);

/** What a failed task prints: core's failure text in the task's words, then the task's own hints. */
const formatFailure = (
  error: unknown,
  facts: FailureFacts,
  env: Record<string, string>,
  localize: Localize,
) => [...failureLines(error, taskWords(undefined)), ...taskHints(error, facts, env, localize)].join('\n');

describe('proxy bypass: local hosts always, then the agent list of regular expressions', () => {
  const bypass = bypassPatterns(['\\.internal\\.contoso\\.com', '^https://dev\\.azure\\.com/', '([invalid']);
  test.each([
    ['http://169.254.169.254/metadata/identity/oauth2/token', true],
    ['http://127.0.0.1:8080/ado/oidctoken', true],
    ['http://localhost:3000/', true],
    ['http://[::1]:3000/', true],
    ['https://registry.internal.contoso.com/v2/', true],
    ['https://dev.azure.com/contoso/_apis/distributedtask', true],
    ['https://contoso.azurecr.io/oauth2/exchange', false],
    ['https://login.microsoftonline.com/tenant/oauth2/v2.0/token', false],
    ['https://evil.example/?https://dev.azure.com/', false],
  ])('%s -> direct: %s', (url, direct) => {
    expect(bypassesProxy(new URL(url), bypass)).toBe(direct);
  });

  test('an entry that is not a regular expression is dropped, not thrown', () => {
    expect(bypass).toHaveLength(2);
  });

  test.each([
    [{ proxyUrl: 'http://proxy:8080' }, undefined],
    [{ proxyUrl: 'http://proxy:8080', proxyUsername: 'u', proxyPassword: 'p;w' }, `Basic ${btoa('u:p;w')}`],
    [{ proxyUrl: 'http://proxy:8080', proxyUsername: 'u' }, `Basic ${btoa('u:')}`],
  ])('proxy credentials %j -> %s', (proxy, token) => {
    expect(proxyToken(proxy)).toBe(token);
  });
});

describe("the agent's proxy: the login's route, and the renewal agent's", () => {
  test.each([
    [{ proxyUrl: 'http://proxy:8080' }, { url: 'http://proxy:8080', source: 'Agent.ProxyUrl', bypass: [] }],
    [
      // Credentials in the URL stay there: the transport reads them from it.
      { proxyUrl: 'http://u:p@proxy:8080', proxyBypassHosts: ['\\.corp$'] },
      { url: 'http://u:p@proxy:8080', source: 'Agent.ProxyUrl', bypass: ['\\.corp$'] },
    ],
    [
      { proxyUrl: 'http://proxy:8080', proxyUsername: 'ci@corp', proxyPassword: 'p@ss:w/rd%1' },
      {
        url: 'http://proxy:8080',
        source: 'Agent.ProxyUrl',
        authorization: `Basic ${btoa('ci@corp:p@ss:w/rd%1')}`,
        bypass: [],
      },
    ],
  ])('%j -> %j', (proxy, expected) => {
    expect(agentProxy(proxy)).toEqual(expected);
  });
});

describe('an Agent.ProxyUrl with credentials in it', () => {
  test.each([
    ['http://proxy:8080', []],
    ['http://user@proxy:8080', []],
    ['http://user:p%40ss%3A%2F@proxy:8080', ['p%40ss%3A%2F', 'p@ss:/', `Basic ${btoa('user:p@ss:/')}`]],
    ['user:plain@proxy:8080', ['plain', `Basic ${btoa('user:plain')}`]],
    // No user name: the transport sends no Proxy-Authorization, so there is none to mask.
    ['http://:only@proxy:8080', ['only']],
  ])('%s: masks %j', (url, secrets) => {
    expect(proxyUrlSecrets(url)).toEqual(secrets);
  });

  test('a socks proxy is refused, naming Agent.ProxyUrl and without its password', async () => {
    const transport = agentTransport({ proxyUrl: 'socks5://user:hidden@proxy:1080' });
    const error = await transport
      .request({ origin: 'https://contoso.azurecr.io', path: '/v2/', method: 'GET' })
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(AcrLoginError);
    expect((error as Error).message).toMatch(
      /^Agent\.ProxyUrl names a socks5 proxy \("socks5:\/\/proxy:1080"\)/,
    );
    expect((error as Error).message).not.toContain('hidden');
    await transport.close();
  });
});

describe("the agent's certificate settings", () => {
  const files: Record<string, string> = {
    '/ca.pem': 'CA',
    '/c.pem': 'CERT',
    '/k.pem': 'KEY',
    '/c.pfx': 'PFX',
  };
  const read = ((path: string) => Buffer.from(files[path] ?? '')) as unknown as typeof readFileSync;
  test.each([
    ['no settings', {}, {}],
    ['a CA is trusted besides the public roots', { caFile: '/ca.pem' }, { ca: ['…roots', 'CA'] }],
    [
      'a client certificate and key, with its password',
      { certFile: '/c.pem', keyFile: '/k.pem', passphrase: 'pw' },
      { cert: 'CERT', key: 'KEY', passphrase: 'pw' },
    ],
    ['an archive wins over the PEM files', { certFile: '/c.pem', certArchiveFile: '/c.pfx' }, { pfx: 'PFX' }],
  ])('%s', (_name, settings, expected) => {
    const options = tlsFromFiles(settings, read);
    const shown = Object.fromEntries(
      Object.entries(options).map(([key, value]) => [
        key,
        Array.isArray(value)
          ? [value.length > 100 ? '…roots' : value[0], value.at(-1)]
          : Buffer.isBuffer(value)
            ? value.toString()
            : value,
      ]),
    );
    expect(shown).toEqual(expected);
  });
});

describe('secretPieces: what is registered with task.setsecret', () => {
  const pem = [
    '-----BEGIN CERTIFICATE-----',
    'MIIBszCCAVmgAwIBAgIUJd8Xk2',
    '-----END CERTIFICATE-----',
    '-----BEGIN PRIVATE KEY-----',
    'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49',
    'AwEHBG0wawIBAQQg',
    'Aw==',
    '-----END PRIVATE KEY-----',
    '',
  ].join('\r\n');
  test.each([
    ['a one-line secret, as it is', 's3cret', ['s3cret']],
    ['blank', '  ', []],
    [
      'a PEM, line by line without armour lines, blank or very short lines',
      pem,
      ['MIIBszCCAVmgAwIBAgIUJd8Xk2', 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49', 'AwEHBG0wawIBAQQg'],
    ],
    ['repeated lines once', 'abcdefgh\nabcdefgh\n', ['abcdefgh']],
  ])('%s', (_name, secret, pieces) => {
    expect(secretPieces(secret)).toEqual(pieces);
    for (const piece of secretPieces(secret)) expect(piece).not.toMatch(/[\r\n]/);
  });
});

describe('the federated credential a WIF connection needs', () => {
  test.each([
    ['https://dev.azure.com/contoso/', 'contoso'],
    ['https://dev.azure.com/contoso', 'contoso'],
    ['https://contoso.visualstudio.com/', 'contoso'],
    ['', undefined],
    ['not a url', undefined],
  ])('organisation of %s is %s', (uri, name) => {
    expect(organisationName(uri)).toBe(name);
  });

  test('issuer from the collection id, subject from organisation and project', () => {
    expect(
      federatedCredential({
        SYSTEM_COLLECTIONID: '4b3d9c1e-5a6f-4e2d-9b8c-7a1f0e2d3c4b',
        SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
        SYSTEM_TEAMPROJECT: 'web',
      }),
    ).toEqual({
      issuer: 'https://vstoken.dev.azure.com/4b3d9c1e-5a6f-4e2d-9b8c-7a1f0e2d3c4b',
      subject: 'sc://contoso/web/<service connection name>',
    });
  });

  test('placeholders where the agent gave nothing', () => {
    expect(federatedCredential({})).toEqual({
      issuer: 'https://vstoken.dev.azure.com/<organization id>',
      subject: 'sc://<organization>/<project>/<service connection name>',
    });
  });
});

describe('formatFailure', () => {
  const wif = {
    id: 'conn-id',
    scheme: 'WorkloadIdentityFederation' as const,
    clientId: 'app-id',
    tenantId: 't',
  };
  const sp = { id: 'conn-id', scheme: 'ServicePrincipal' as const, clientId: 'app-id', tenantId: 't' };
  const mi = { id: 'conn-id', scheme: 'ManagedServiceIdentity' as const };
  const env = {
    SYSTEM_COLLECTIONID: 'org-id',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'web',
  };
  const error = (code: ConstructorParameters<typeof AcrLoginError>[0]) =>
    new AcrLoginError(code, `Registry "contoso.azurecr.io": ${code}`, { details: { correlationId: 'c-1' } });

  test.each([
    [
      'WIF refused by Entra: the federated credential and the pipeline authorisation',
      error('ENTRA_AUTH_FAILED'),
      wif,
      [
        'Registry "contoso.azurecr.io": ENTRA_AUTH_FAILED',
        '  correlationId: c-1',
        'Service connection conn-id (scheme WorkloadIdentityFederation, registries contoso, fabrikam).',
        'app registration app-id needs a federated credential with issuer https://vstoken.dev.azure.com/org-id, subject sc://contoso/web/<service connection name>',
        'authorise service connection conn-id for this pipeline',
      ],
    ],
    [
      'no role: the role to grant to the app',
      error('ACR_EXCHANGE_DENIED'),
      sp,
      ['(app app-id) the AcrPull role'],
    ],
    [
      'no role, system-assigned identity',
      error('REGISTRY_FORBIDDEN'),
      mi,
      ['(app system-assigned managed identity)'],
    ],
    [
      'SP refused by Entra: the secret may have expired',
      error('ENTRA_AUTH_FAILED'),
      sp,
      ['has expired, renew it'],
    ],
    ['no IMDS', error('MANAGED_IDENTITY_UNAVAILABLE'), undefined, ['Microsoft-hosted agents have none']],
  ])('%s', (_name, failure, connection, parts) => {
    const message = formatFailure(failure, { connection, registries: 'contoso\nfabrikam' }, env, loc);
    for (const part of parts) expect(message).toContain(part);
  });

  test('hints follow the scheme: no WIF advice for a service principal', () => {
    const message = formatFailure(
      error('ENTRA_AUTH_FAILED'),
      { connection: sp, registries: 'contoso' },
      env,
      loc,
    );
    expect(message).not.toContain('federated credential');
  });

  test('any other error keeps its message', () => {
    expect(formatFailure(new Error('boom'), { registries: '' }, env, loc)).toBe('boom');
  });
});

describe('exportVariable: task.setvariable for the later tasks, the environment for this one', () => {
  test.each([
    ['DOCKER_CONFIG', '/agent/_work/_temp/acr-login-config/docker'],
    ['REGISTRY_AUTH_FILE', '/agent/_work/_temp/acr-login-config/containers/auth.json'],
  ])('%s', async (name, value) => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const env: Record<string, string> = {};
    try {
      const { taskHost } = await import('../src/host.ts');
      const host = taskHost(new URL('../../../task.json', import.meta.url).href, env);
      host.exportVariable?.(name, value);
    } finally {
      spy.mockRestore();
    }
    expect(env[name]).toBe(value);
    expect(
      lines.map((line) => line.trim()).filter((line) => line.startsWith('##vso[task.setvariable')),
    ).toEqual([`##vso[task.setvariable variable=${name};isOutput=false;issecret=false;]${value}`]);
  });
});

describe('an error before the host can report it', () => {
  test('still reaches the agent as the task error, and the process fails', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const exitCode = process.exitCode;
    try {
      const { run } = await import('../src/main.ts');
      // No task.json beside this entry: the task's messages cannot be read.
      await run(new URL('./no-such-folder/index.js', import.meta.url).href);
      expect(process.exitCode).toBe(1);
    } finally {
      spy.mockRestore();
      process.exitCode = exitCode;
    }
    const commands = lines
      .join('')
      .split(/\r?\n/)
      .filter((line) => line.startsWith('##vso['));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(
      /^##vso\[task\.issue type=error;\]ENOENT: no such file or directory, open '.*task\.json'$/,
    );
    expect(commands[1]).toMatch(/^##vso\[task\.complete result=Failed;\]ENOENT/);
  });
});

describe('a failure no code path catches', () => {
  const main = new URL('../src/main.ts', import.meta.url).pathname;
  test.each([
    [
      'an exception thrown in a callback',
      "setTimeout(() => { throw new Error('boom in a callback'); }, 10);",
    ],
    ['a rejection nobody awaits', "void Promise.reject(new Error('boom in a promise'));"],
  ])('%s: the error issue, Failed, exit code 1, and the stack in the debug log', (_, failure) => {
    const script = `import { installFailureHandlers } from ${JSON.stringify(main)};
installFailureHandlers();
${failure}
// Something still pending, as a socket or a timer of the step would be: the failure must end the process.
setTimeout(() => {}, 60_000);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.status, child.stderr).toBe(1);
    const commands = child.stdout.split(/\r?\n/).filter((line) => line.startsWith('##vso['));
    const message = /boom in a (callback|promise)/.exec(failure)?.[0] ?? '';
    expect(commands).toHaveLength(3);
    expect(commands[0]).toMatch(new RegExp(`^##vso\\[task\\.debug\\]Error: ${message}%0A    at `));
    expect(commands[1]).toBe(`##vso[task.issue type=error;]${message}`);
    expect(commands[2]).toBe(`##vso[task.complete result=Failed;]${message}`);
  });
});

describe("the renewal's OIDC request details: the agent's SYSTEM_OIDCREQUESTURI, through the host port", () => {
  test('tagged for azure-pipelines logins; none where the agent gives no request URI', async () => {
    const { taskHost } = await import('../src/host.ts');
    const taskJson = new URL('../../../task.json', import.meta.url).href;
    const requestUri =
      'https://dev.azure.com/contoso/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken';
    expect(taskHost(taskJson, { SYSTEM_OIDCREQUESTURI: requestUri }).renewalOidc?.()).toEqual({
      authType: 'azure-pipelines',
      requestUri,
    });
    expect(taskHost(taskJson, {}).renewalOidc?.()).toBeUndefined();
    expect(taskHost(taskJson, { SYSTEM_OIDCREQUESTURI: '' }).renewalOidc?.()).toBeUndefined();
  });
});
