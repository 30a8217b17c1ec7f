import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { MockAgent } from 'undici';
import { describe, expect, test, vi } from 'vitest';
import { parse } from 'yaml';
import {
  type Localize,
  readTaskInputs,
  type TaskInputs,
  type TaskSource,
} from '../../packages/ado-task/src/context.ts';
import { taskHints } from '../../packages/ado-task/src/hints.ts';
import { taskWords } from '../../packages/ado-task/src/words.ts';
import {
  ERROR_CODES,
  englishText,
  failureText,
  type Host,
  type StateName,
  type Vocabulary,
} from '../../packages/core/src/index.ts';
import { runLogin } from '../../packages/core/src/step/main-step.ts';
import { runLogout } from '../../packages/core/src/step/post-step.ts';
import { actionHost } from '../../packages/github-action/src/host.ts';
import {
  FAILURES,
  type FailureRow,
  type HostName,
  type Kit,
  type LoginOptions,
  type StepInputs,
  type TaskContext,
  type TaskRun,
} from './fixtures/failure-messages.ts';

/**
 * What a user reads first when the step fails: for every error code, the first line of the failure, as each
 * host shows it, says what went wrong and what to do, in that host's words, and shows no secret.
 */

const ROOT = new URL('../../', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', ROOT), 'utf8')) as {
  inputs: Record<string, unknown>;
};
const task = JSON.parse(readFileSync(new URL('task.json', ROOT), 'utf8')) as {
  inputs: { name: string }[];
  messages: Record<string, string>;
};
const actionNames = Object.keys(action.inputs);
const taskNames = task.inputs.map((i) => i.name);
const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`);
/** Advice that only holds on the other CI: a task run must not send its user to a workflow's settings. */
const FOREIGN_ADVICE: Readonly<Record<HostName, readonly string[]>> = {
  action: ['System.AccessToken'],
  task: ['On GitHub', 'id-token: write', 'ACTIONS_ID_TOKEN_REQUEST'],
};
/** Input names a host must never print: the other host's own. */
const FOREIGN: Readonly<Record<HostName, readonly string[]>> = {
  action: quoted(taskNames.filter((name) => !actionNames.includes(name))),
  task: quoted(actionNames.filter((name) => !taskNames.includes(name))),
};
const loc: Localize = (key, ...params) => {
  const message = task.messages[key];
  if (message === undefined) throw new Error(`task.json has no message "${key}"`);
  return format(message, ...params);
};

const CONNECTION_ID = '0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b';
/** The runner's token for its OIDC service: a secret of every Action run that may request OIDC tokens. */
const REQUEST_TOKEN = 'actions-Request-Token-0123456789';

function taskInputs(context: TaskContext | undefined, login: StepInputs): TaskInputs | undefined {
  if (context === undefined) return undefined;
  const registry = login.registry ?? '';
  if (context.authType !== 'serviceConnection') return { authType: context.authType, login: { registry } };
  return {
    authType: 'serviceConnection',
    login: { registry },
    connection: {
      id: CONNECTION_ID,
      scheme: context.scheme,
      ...(login.clientId === undefined ? {} : { clientId: login.clientId }),
      ...(login.tenantId === undefined ? {} : { tenantId: login.tenantId }),
    },
  };
}

interface Seen {
  /** What the host's `fail` received. */
  readonly message: string;
  readonly error: unknown;
  readonly words: Vocabulary;
}

/**
 * A host that keeps the step's output in memory: the Action's own host with the runner's I/O replaced, or
 * the task's vocabulary and hints. The same scenario runs on each.
 */
async function meet(row: FailureRow, hostName: HostName): Promise<Seen> {
  const home = await mkdtemp(join(tmpdir(), 'acr-login-failure-'));
  const agent = new MockAgent();
  agent.disableNetConnect();
  const failures: Seen[] = [];
  const state = new Map<StateName, string>();

  let errorSeen: unknown;
  /** What every host here shares: output kept in memory, requests answered by the agent. */
  const common = (inputs: StepInputs, words: () => Vocabulary) => ({
    text: englishText,
    input: (key: keyof StepInputs) => inputs[key] ?? '',
    mask: () => {},
    debug: () => {},
    info: () => {},
    warning: () => {},
    setOutput: () => {},
    saveState: (name: StateName, value: string) => state.set(name, value),
    loadState: (name: StateName) => state.get(name) ?? '',
    dispatcher: () => agent,
    fail: (message: string) => failures.push({ message, error: errorSeen, words: words() }),
  });
  const taskEnv = (options: LoginOptions) => ({
    HOME: home,
    PATH: process.env.PATH,
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_COLLECTIONID: '3c2b1a09-0000-4000-8000-00000000c011',
    SYSTEM_TEAMPROJECT: 'web',
    ...options.env,
  });
  const hostFor = (inputs: StepInputs, options: LoginOptions): Host => {
    if (hostName === 'action') {
      const env = {
        HOME: home,
        PATH: process.env.PATH,
        GITHUB_ACTIONS: 'true',
        ...(options.oidcToken === undefined
          ? {}
          : {
              ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.actions.githubusercontent.com/token',
              ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
            }),
        ...options.env,
      };
      const own = actionHost(env);
      const oidcToken = options.oidcToken;
      return {
        ...own,
        ...common(inputs, () => own.words),
        ...(own.oidc === undefined || oidcToken === undefined
          ? {}
          : { oidc: { ...own.oidc, token: oidcToken } }),
        hints: (error) => {
          errorSeen = error;
          return own.hints?.(error) ?? [];
        },
      };
    }
    const env = taskEnv(options);
    const read = taskInputs(row.task, inputs);
    const words = taskWords(read);
    return {
      ...common(inputs, () => words),
      words,
      env,
      hints: (error) => {
        errorSeen = error;
        return taskHints(
          error,
          { connection: read?.connection, registries: inputs.registry ?? '' },
          env,
          loc,
        );
      },
    };
  };

  /** The task as the agent runs it: its inputs and service connection read through readTaskInputs. */
  const taskHostFor = (given: TaskRun, options: LoginOptions): Host => {
    const source: TaskSource = {
      input: (name) => given.inputs[name] ?? '',
      connection: (id) => ({ id, scheme: '', parameters: {}, data: {}, ...given.connection }),
      systemAccessToken: () => given.accessToken,
    };
    const env = taskEnv(options);
    let read: TaskInputs | undefined;
    const words = () => taskWords(read);
    return {
      ...common({}, words),
      get words() {
        return words();
      },
      input(key) {
        if (key === 'logout' || key === 'renew' || key === 'isolateConfig' || key === 'pullSecret')
          return source.input(key);
        if (key === 'maskPassword') return '';
        read ??= readTaskInputs(source, loc);
        return read.login[key] ?? '';
      },
      env,
      hints: (error) => {
        errorSeen = error;
        const facts = { registries: source.input('registry'), connection: read?.connection };
        return taskHints(error, facts, env, loc);
      },
    };
  };

  /** The Azure SDK reads the process environment, not the host's: set for one login only. */
  const withProcessEnv = async (options: LoginOptions, work: () => Promise<void>) => {
    for (const [name, value] of Object.entries(options.processEnv ?? {})) vi.stubEnv(name, value);
    try {
      await work();
    } finally {
      vi.unstubAllEnvs();
    }
  };

  const kit: Kit = {
    home,
    agent,
    login: (inputs, options = {}) => withProcessEnv(options, () => runLogin(hostFor(inputs, options))),
    taskLogin(given, options = {}) {
      if (hostName !== 'task') throw new Error('a scenario of the task runs on the task only');
      return withProcessEnv(options, () => runLogin(taskHostFor(given, options)));
    },
    logout: (saved) => {
      for (const [name, value] of Object.entries(saved)) state.set(name as StateName, value);
      return runLogout(hostFor({}, {}));
    },
    show(error) {
      // As the step composes a failure: core's lines in the host's words, then the host's hints.
      const host = hostFor({}, {});
      const hints = host.hints?.(error) ?? [];
      host.fail(failureText(error, host.words, hints));
    },
  };
  try {
    await row.run(kit);
  } finally {
    // The step closes the dispatcher it was given; a scenario that never ran the step leaves it open.
    await agent.close().catch(() => {});
    await rm(home, { recursive: true, force: true });
  }
  expect(failures, 'the step failed exactly once').toHaveLength(1);
  return failures[0] as Seen;
}

const HOSTS: readonly HostName[] = ['action', 'task'];

const CONNECTION = `the service connection '${CONNECTION_ID}'`;
/**
 * How each host names the inputs the scenarios' phrases mark, written out: the expected first line must not
 * come from the renderer under test. A scenario with a marker not listed here fails until it is added.
 */
const SAID: Readonly<Record<HostName, Readonly<Record<string, string>>>> = {
  action: {
    '⟦authType:service-principal⟧': '"auth-type: service-principal"',
    '⟦authType⟧': '"auth-type"',
    '⟦audience⟧': '"audience"',
    '⟦clientCertificate⟧': '"client-certificate"',
    '⟦clientCertificatePassword⟧': '"client-certificate-password"',
    '⟦clientId⟧': '"client-id"',
    '⟦clientSecret⟧': '"client-secret"',
    '⟦creds⟧': '"creds"',
    '⟦environment⟧': '"environment"',
    '⟦logout⟧': '"logout"',
    '⟦password⟧': '"password"',
    '⟦registry⟧': '"registry"',
    '⟦repositories⟧': '"repositories"',
    '⟦tokenAudience⟧': '"token-audience"',
    '⟦trustedRegistries⟧': '"trusted-registries"',
    '⟦username⟧': '"username"',
  },
  task: {
    '⟦authType:service-principal⟧': `${CONNECTION} (ServicePrincipal)`,
    '⟦authType⟧': '"authType"',
    '⟦clientCertificate⟧': `${CONNECTION} (its certificate)`,
    '⟦clientCertificatePassword⟧': `${CONNECTION} (its certificate)`,
    // The one scenario naming the client id on the task is a managed identity's.
    '⟦clientId⟧': '"managedIdentityClientId"',
    '⟦clientSecret⟧': `${CONNECTION} (its service principal key)`,
    '⟦environment⟧': `${CONNECTION} (its environment)`,
    '⟦logout⟧': '"logout"',
    '⟦password⟧': '"password"',
    '⟦registry⟧': '"registry"',
    '⟦repositories⟧': '"repositories"',
    '⟦tokenAudience⟧': '"tokenAudience"',
    '⟦trustedRegistries⟧': '"trustedRegistries"',
    '⟦username⟧': '"username"',
  },
};
function said(phrase: string, hostName: HostName): string {
  return phrase.replace(/⟦[^⟧]*⟧/g, (marker) => {
    const text = SAID[hostName][marker];
    if (text === undefined) throw new Error(`SAID.${hostName} has no text for ${marker}: add it`);
    return text;
  });
}
const CASES = FAILURES.flatMap((row) =>
  (row.hosts ?? HOSTS).map(
    (hostName) => [`${row.code}: ${row.scenario} (${hostName})`, row, hostName] as const,
  ),
);

describe('every error code has a scenario that reaches it', () => {
  test('the table covers every code of ErrorCode', () => {
    const covered = new Set(FAILURES.map((row) => row.code));
    expect(ERROR_CODES.filter((code) => !covered.has(code))).toEqual([]);
  });
});

describe('the first line of a failure names the cause and the fix, in the host words', () => {
  test.each(CASES)('%s', async (_name, row, hostName) => {
    const { message, error } = await meet(row, hostName);
    expect((error as { code?: unknown }).code, message).toBe(row.code);
    expect(message).toContain(`  error code: ${row.code}`);
    // Every failure ends with the link to its code's entry, pinned to the released major version.
    expect(message.split('\n').at(-1)).toBe(
      `Troubleshooting: https://github.com/acr-login/acr-login/blob/v1/docs/troubleshooting.md#${row.code.toLowerCase()}`,
    );
    const [first = ''] = message.split('\n');
    for (const phrase of [...row.cause, ...row.fix]) expect(first, first).toContain(said(phrase, hostName));
    for (const name of FOREIGN[hostName]) expect(message, message).not.toContain(name);
    for (const advice of FOREIGN_ADVICE[hostName]) expect(message, message).not.toContain(advice);
    expect(message).not.toContain('⟦');
    for (const secret of [...(row.secrets ?? []), REQUEST_TOKEN]) expect(message).not.toContain(secret);
  });
});
