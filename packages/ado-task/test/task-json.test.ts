import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { STEP_MESSAGES } from '../../core/src/index.ts';

/** task.json and vss-extension.json are what the agent and the Marketplace read: check them as specifications. */

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const task = JSON.parse(read('task.json')) as {
  name: string;
  version: { Major: number; Minor: number; Patch: number };
  minimumAgentVersion: string;
  groups: { name: string; displayName: string }[];
  inputs: {
    name: string;
    type: string;
    defaultValue: string;
    visibleRule?: string;
    aliases?: string[];
    groupName?: string;
    helpMarkDown?: string;
  }[];
  outputVariables: { name: string }[];
  execution: Record<string, { target: string }>;
  postjobexecution: Record<string, { target: string }>;
  messages: Record<string, string>;
};
const extension = JSON.parse(read('vss-extension.json')) as {
  version: string;
  files: { path: string }[];
  contributions: { type: string; properties: { name: string } }[];
};

describe('task.json', () => {
  test('AcrLogin major version 1, runs on Node 20 and Node 24, main and post-job', () => {
    expect(task.name).toBe('AcrLogin');
    expect(task.version.Major).toBe(1);
    // Agent 3.232.1 is the first with the Node20_1 handler (azure-pipelines-tasks docs/migrateNode20.md);
    // older agents fail with "supported task execution handler was not found". Agents without the Node24
    // handler (before 4.265.1) run Node20_1.
    expect(task.minimumAgentVersion).toBe('3.232.1');
    for (const handlers of [task.execution, task.postjobexecution]) {
      expect(Object.keys(handlers).sort()).toEqual(['Node20_1', 'Node24']);
    }
    // One bundle for both: the post-job step knows itself by the task variables the main step set.
    expect(new Set(Object.values(task.execution).map((h) => h.target))).toEqual(new Set(['index.js']));
    expect(new Set(Object.values(task.postjobexecution).map((h) => h.target))).toEqual(new Set(['index.js']));
  });

  test.each([
    ['azureSubscription', 'connectedService:AzureRM', ''],
    ['registry', 'multiLine', ''],
    ['authType', 'pickList', 'serviceConnection'],
    ['managedIdentityClientId', 'string', ''],
    ['username', 'string', ''],
    ['password', 'string', ''],
    ['tokenAudience', 'pickList', 'acr'],
    ['clients', 'string', 'docker'],
    ['logout', 'boolean', 'true'],
    ['isolateConfig', 'boolean', 'true'],
    ['pullSecret', 'boolean', 'false'],
  ])('input %s is a %s defaulting to "%s"', (name, type, defaultValue) => {
    expect(task.inputs.find((input) => input.name === name)).toMatchObject({ type, defaultValue });
  });

  test('azureSubscription has the alias connectedServiceNameARM and shows only for serviceConnection', () => {
    expect(task.inputs.find((input) => input.name === 'azureSubscription')).toMatchObject({
      aliases: ['connectedServiceNameARM'],
      visibleRule: 'authType = serviceConnection',
    });
  });

  test('visible rules name inputs and values that exist', () => {
    const names = new Set(task.inputs.map((input) => input.name));
    for (const { visibleRule } of task.inputs) {
      for (const clause of (visibleRule ?? '').split(/\s*(?:&&|\|\|)\s*/).filter(Boolean)) {
        const [name = ''] = clause.split(/\s*=\s*/);
        expect(names.has(name), `${clause} names an input`).toBe(true);
      }
    }
  });

  test('inputs sit in the groups registry, authentication and advanced, which the editor shows in that order', () => {
    expect(task.groups.map((group) => group.name)).toEqual(['registry', 'authentication', 'advanced']);
    const groups = new Set(task.groups.map((group) => group.name));
    for (const input of task.inputs) expect(groups, `${input.name}'s group`).toContain(input.groupName);
    expect(Object.fromEntries(task.inputs.map((input) => [input.name, input.groupName]))).toMatchObject({
      authType: 'authentication',
      azureSubscription: 'authentication',
      managedIdentityClientId: 'authentication',
      username: 'authentication',
      password: 'authentication',
      registry: 'registry',
      clients: 'registry',
      tokenAudience: 'advanced',
      logout: 'advanced',
      renew: 'advanced',
      pullSecret: 'advanced',
    });
  });

  test('every link in the help text points to this project', () => {
    const links = task.inputs.flatMap((input) =>
      [...(input.helpMarkDown ?? '').matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]),
    );
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const link of links) expect(link).toMatch(/^https:\/\/github\.com\/acr-login\/acr-login[#/]/);
  });

  test('output variables', () => {
    expect(task.outputVariables.map((v) => v.name)).toEqual([
      'loginServer',
      'loginServers',
      'username',
      'password',
      'expiresOn',
      'dockerConfig',
      'access',
      'pullSecretFile',
      'renews',
    ]);
  });

  test('every message the adapter localises is in task.json, and every message is used', () => {
    const dir = new URL('../src/', import.meta.url);
    const source = readdirSync(dir)
      .map((file) => readFileSync(new URL(file, dir), 'utf8'))
      .join('\n');
    // The task speaks core's step messages through task.json too.
    const used = new Set([
      ...[...source.matchAll(/loc\(\s*'(\w+)'/g)].map((match) => match[1]),
      ...Object.keys(STEP_MESSAGES),
    ]);
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((key) => key !== undefined && !(key in task.messages))).toEqual([]);
    expect(Object.keys(task.messages).filter((key) => !used.has(key))).toEqual([]);
  });
});

describe('vss-extension.json', () => {
  test('its version is the task version', () => {
    const { Major, Minor, Patch } = task.version;
    expect(extension.version).toBe(`${Major}.${Minor}.${Patch}`);
  });

  test('contributes the task folder dist/ado, which the package includes', () => {
    const [contribution] = extension.contributions;
    expect(contribution).toMatchObject({
      type: 'ms.vss-distributed-task.task',
      properties: { name: 'dist/ado' },
    });
    expect(extension.files.map((file) => file.path)).toContain('dist/ado');
  });
});
