import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ConfigObject } from '../../src/clients/config-file.ts';
import {
  type ConfigSection,
  emptyUndoResult,
  type FileUndo,
  type SectionEdit,
  setSectionValues,
  type UndoResult,
  undoSectionEdits,
  writeSectionValues,
} from '../../src/clients/config-section-edit.ts';
import { LONGEST_HOLD_MS } from '../../src/clients/hold-limit.ts';
import { AUTHS } from '../../src/clients/login-entry.ts';
import { FIXTURES, tempDir } from './support.ts';

const CONTOSO = 'contoso.azurecr.io';
const FABRIKAM = 'fabrikam.azurecr.io';
/** Entries docker-config.txt holds. */
const OTHER = 'other.azurecr.io';
const HUB = 'https://index.docker.io/v1/';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const HELPER = 'acr-login-0badcafe';
const LOCK_MS = 5_000;

/** The `credHelpers` section as renewals edit it (renew/route-to-helper.ts), with reasons told apart. */
const CRED_HELPERS: ConfigSection = {
  name: 'credHelpers',
  label: (key) => `credHelpers.${key}`,
  gone: 'the route was removed since the login',
  changed: 'the route changed since the login',
  emptyWhenOnly: ['auths', 'credHelpers'],
};

type Values = readonly (readonly [key: string, value: unknown])[];
type Reset = { key: string; value: unknown };
type Sections = ConfigObject & { auths?: ConfigObject; credHelpers?: ConfigObject };

function edit(key: string, written: unknown, previous: unknown, createdSection = false): SectionEdit {
  return { key, written, previous, createdFile: false, createdSection };
}

/** The file's text, or undefined when there is no file. */
async function contents(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

async function json(file: string): Promise<ConfigObject> {
  return JSON.parse(await readFile(file, 'utf8')) as ConfigObject;
}

/** A config file in a fresh directory holding `text` (docker-config.txt when 'fixture'), or no file. */
async function configFile(text: string | 'fixture' | undefined): Promise<string> {
  const file = join(await tempDir(), 'config.json');
  if (text === 'fixture') await copyFile(join(FIXTURES, 'docker-config.txt'), file);
  else if (text !== undefined) await writeFile(file, text);
  return file;
}

async function undo(
  file: string,
  section: ConfigSection,
  edits: readonly SectionEdit[],
  before?: FileUndo['before'],
): Promise<UndoResult> {
  const result = emptyUndoResult();
  const createdSection = edits.some((entry) => entry.createdSection);
  const fileUndo: FileUndo = { file, edits, createdSection, ...(before ? { before } : {}) };
  await undoSectionEdits(file, section, fileUndo, result, { lockTimeoutMs: LOCK_MS });
  return result;
}

describe('setting values into a section', () => {
  test.each<{
    name: string;
    config: ConfigObject;
    section: ConfigSection;
    values: Values;
    after: ConfigObject;
    edits: SectionEdit[];
  }>([
    {
      name: 'an absent section is made; only the first edit says it created it, none had a previous value',
      config: { credsStore: 'pass' },
      section: AUTHS,
      values: [
        [CONTOSO, { auth: 'Yzpw' }],
        [FABRIKAM, { auth: 'ZjpwBw==' }],
      ],
      after: { credsStore: 'pass', auths: { [CONTOSO]: { auth: 'Yzpw' }, [FABRIKAM]: { auth: 'ZjpwBw==' } } },
      edits: [edit(CONTOSO, { auth: 'Yzpw' }, null, true), edit(FABRIKAM, { auth: 'ZjpwBw==' }, null)],
    },
    {
      name: 'an existing empty section is used, not created',
      config: { credHelpers: {} },
      section: CRED_HELPERS,
      values: [[CONTOSO, HELPER]],
      after: { credHelpers: { [CONTOSO]: HELPER } },
      edits: [edit(CONTOSO, HELPER, null)],
    },
    {
      name: "a new key in an existing section keeps the section's other entries",
      config: { auths: { [OTHER]: { auth: 'bzpz' } } },
      section: AUTHS,
      values: [[CONTOSO, { auth: 'Yzpw' }]],
      after: { auths: { [OTHER]: { auth: 'bzpz' }, [CONTOSO]: { auth: 'Yzpw' } } },
      edits: [edit(CONTOSO, { auth: 'Yzpw' }, null)],
    },
    {
      name: 'over an existing credHelpers route: previous is the route it held',
      config: { credHelpers: { [CONTOSO]: 'ecr-login', 'gcr.io': 'gcloud' } },
      section: CRED_HELPERS,
      values: [[CONTOSO, HELPER]],
      after: { credHelpers: { [CONTOSO]: HELPER, 'gcr.io': 'gcloud' } },
      edits: [edit(CONTOSO, HELPER, 'ecr-login')],
    },
    {
      name: 'over an existing auths entry: previous is the whole entry, fields the login does not write too',
      config: { auths: { [HUB]: { auth: 'aDpw', email: 'dev@example.com' } } },
      section: AUTHS,
      values: [[HUB, { auth: 'bmV3' }]],
      after: { auths: { [HUB]: { auth: 'bmV3' } } },
      edits: [edit(HUB, { auth: 'bmV3' }, { auth: 'aDpw', email: 'dev@example.com' })],
    },
    {
      name: 'a key set twice in one call: the second edit remembers the first value',
      config: {},
      section: CRED_HELPERS,
      values: [
        [CONTOSO, 'first'],
        [CONTOSO, HELPER],
      ],
      after: { credHelpers: { [CONTOSO]: HELPER } },
      edits: [edit(CONTOSO, 'first', null, true), edit(CONTOSO, HELPER, 'first')],
    },
  ])('$name', ({ config, section, values, after, edits }) => {
    expect(setSectionValues(config, false, section, values)).toEqual(edits);
    expect(config).toEqual(after);
  });

  test('createdFile is what the caller says, on every edit', () => {
    const edits = setSectionValues({}, true, AUTHS, [
      [CONTOSO, { auth: 'Yzpw' }],
      [FABRIKAM, { auth: 'Zjpw' }],
    ]);
    expect(edits.map((entry) => entry.createdFile)).toEqual([true, true]);
  });

  test('written and previous are copies: changing the value or the old entry later alters neither', () => {
    const old = { auth: 'aDpw', email: 'dev@example.com' };
    const value = { auth: 'bmV3' };
    const [written] = setSectionValues({ auths: { [HUB]: old } }, false, AUTHS, [[HUB, value]]);
    old.email = 'changed@example.com';
    value.auth = 'changed';
    expect(written).toMatchObject({
      written: { auth: 'bmV3' },
      previous: { auth: 'aDpw', email: 'dev@example.com' },
    });
  });
});

describe('undoing the edits of a file', () => {
  test.each<{
    name: string;
    section: ConfigSection;
    /** The file before the login; undefined: none. */
    file: string | 'fixture' | undefined;
    values: Values;
    /** What someone else does to the file between the login and its undoing. */
    meanwhile?: (config: Sections) => void;
    /**
     * The file afterwards: 'original' for the bytes before the login, undefined for no file, or its JSON (from
     * the JSON before the login).
     */
    after: 'original' | ConfigObject | ((before: Sections) => ConfigObject) | undefined;
    result: { restored: number; removed: number; skipped?: { key: string; reason: string }[] };
  }>([
    {
      name: 'a file the login created goes again',
      section: AUTHS,
      file: undefined,
      values: [
        [CONTOSO, { auth: 'Yzpw' }],
        [FABRIKAM, { auth: 'Zjpw' }],
      ],
      after: undefined,
      result: { restored: 0, removed: 2 },
    },
    {
      name: 'a created file someone added a setting to stays, holding only that setting',
      section: AUTHS,
      file: undefined,
      values: [[CONTOSO, { auth: 'Yzpw' }]],
      meanwhile: (config) => {
        config.credsStore = 'desktop';
      },
      after: { credsStore: 'desktop' },
      result: { restored: 0, removed: 1 },
    },
    {
      name: 'a created file keeps an entry someone else added to its section',
      section: AUTHS,
      file: undefined,
      values: [[CONTOSO, { auth: 'Yzpw' }]],
      meanwhile: (config) => {
        (config.auths as ConfigObject)['ghcr.io'] = { auth: 'Z2g6dA==' };
      },
      after: { auths: { 'ghcr.io': { auth: 'Z2g6dA==' } } },
      result: { restored: 0, removed: 1 },
    },
    {
      name: 'credHelpers: a created file left with an empty auths goes (both sections count as nothing)',
      section: CRED_HELPERS,
      file: undefined,
      values: [[CONTOSO, HELPER]],
      meanwhile: (config) => {
        config.auths = {};
      },
      after: undefined,
      result: { restored: 0, removed: 1 },
    },
    {
      name: 'auths: a created file left with an empty credHelpers stays (only auths counts as nothing)',
      section: AUTHS,
      file: undefined,
      values: [[CONTOSO, { auth: 'Yzpw' }]],
      meanwhile: (config) => {
        config.credHelpers = {};
      },
      after: { credHelpers: {} },
      result: { restored: 0, removed: 1 },
    },
    {
      name: 'new auths entries in an existing file: the file comes back byte for byte',
      section: AUTHS,
      file: 'fixture',
      values: [
        [CONTOSO, { auth: 'Yzpw' }],
        [FABRIKAM, { auth: 'Zjpw' }],
      ],
      after: 'original',
      result: { restored: 0, removed: 2 },
    },
    {
      name: "an auths entry over the user's: their entry, email and all, comes back byte for byte",
      section: AUTHS,
      file: 'fixture',
      values: [[HUB, { auth: 'bmV3' }]],
      after: 'original',
      result: { restored: 1, removed: 0 },
    },
    {
      name: "credHelpers routes over the user's and beside it: the user's route comes back byte for byte",
      section: CRED_HELPERS,
      file: 'fixture',
      values: [
        [ECR, HELPER],
        [CONTOSO, HELPER],
      ],
      after: 'original',
      result: { restored: 1, removed: 1 },
    },
    {
      name: 'a section the login added to an existing file goes when left empty',
      section: CRED_HELPERS,
      file: '{\n\t"credsStore": "pass"\n}',
      values: [
        [CONTOSO, HELPER],
        [FABRIKAM, HELPER],
      ],
      after: 'original',
      result: { restored: 0, removed: 2 },
    },
    {
      name: 'a section the login added stays while it holds an entry someone else added',
      section: CRED_HELPERS,
      file: '{\n\t"credsStore": "pass"\n}',
      values: [[CONTOSO, HELPER]],
      meanwhile: (config) => {
        (config.credHelpers as ConfigObject)['gcr.io'] = 'gcloud';
      },
      after: { credsStore: 'pass', credHelpers: { 'gcr.io': 'gcloud' } },
      result: { restored: 0, removed: 1 },
    },
    {
      name: 'a section that was there before stays when left empty',
      section: CRED_HELPERS,
      file: '{\n\t"credHelpers": {}\n}',
      values: [[CONTOSO, HELPER]],
      after: 'original',
      result: { restored: 0, removed: 1 },
    },
    {
      name: 'an entry someone changed since is left as it is and reported; the others are undone',
      section: AUTHS,
      file: 'fixture',
      values: [
        [CONTOSO, { auth: 'Yzpw' }],
        [OTHER, { auth: 'bmV3' }],
      ],
      meanwhile: (config) => {
        (config.auths as ConfigObject)[CONTOSO] = { auth: 'bGF0ZXI=' };
      },
      after: (before) => ({ ...before, auths: { ...before.auths, [CONTOSO]: { auth: 'bGF0ZXI=' } } }),
      result: { restored: 1, removed: 0, skipped: [{ key: CONTOSO, reason: AUTHS.changed }] },
    },
    {
      name: "a credHelpers route someone changed since is left as it is, the user's value is not put back",
      section: CRED_HELPERS,
      file: 'fixture',
      values: [[ECR, HELPER]],
      meanwhile: (config) => {
        (config.credHelpers as ConfigObject)[ECR] = 'acr-env';
      },
      after: (before) => ({ ...before, credHelpers: { [ECR]: 'acr-env' } }),
      result: {
        restored: 0,
        removed: 0,
        skipped: [{ key: `credHelpers.${ECR}`, reason: CRED_HELPERS.changed }],
      },
    },
    {
      name: "an entry removed since is reported as gone, and the user's previous value is not put back",
      section: AUTHS,
      file: 'fixture',
      values: [[OTHER, { auth: 'bmV3' }]],
      meanwhile: (config) => {
        delete (config.auths as ConfigObject)[OTHER];
      },
      after: ({ auths, ...rest }) => ({ ...rest, auths: { [HUB]: auths?.[HUB] } }),
      result: { restored: 0, removed: 0, skipped: [{ key: OTHER, reason: AUTHS.gone }] },
    },
    {
      name: 'a section removed since: each entry is reported as gone and the section is not made again',
      section: CRED_HELPERS,
      file: 'fixture',
      values: [
        [ECR, HELPER],
        [CONTOSO, HELPER],
      ],
      meanwhile: (config) => {
        delete config.credHelpers;
      },
      after: ({ credHelpers: _, ...rest }) => rest,
      result: {
        restored: 0,
        removed: 0,
        skipped: [
          { key: `credHelpers.${CONTOSO}`, reason: CRED_HELPERS.gone },
          { key: `credHelpers.${ECR}`, reason: CRED_HELPERS.gone },
        ],
      },
    },
  ])('$name', async ({ section, file: text, values, meanwhile, after, result }) => {
    const file = await configFile(text);
    const original = await contents(file);
    const before = (original === undefined ? {} : JSON.parse(original)) as Sections;
    const edits = await writeSectionValues(file, section, values, LOCK_MS);
    expect(edits.every((entry) => entry.createdFile === (text === undefined))).toBe(true);
    if (meanwhile) {
      const config = await json(file);
      meanwhile(config);
      // Another writer's layout: undoing must recognise entries by value, not by bytes.
      await writeFile(file, JSON.stringify(config, null, 2));
    }

    const skipped = (result.skipped ?? []).map((skip) => ({ file, ...skip }));
    expect(await undo(file, section, edits)).toEqual({ ...result, skipped });
    if (after === 'original') expect(await contents(file)).toBe(original);
    else if (after === undefined) expect(await contents(file)).toBeUndefined();
    else expect(await json(file)).toEqual(typeof after === 'function' ? after(before) : after);
  });

  test('a key two logins wrote in turn ends with the value it held before the first', async () => {
    const file = await configFile('fixture');
    const original = await contents(file);
    const first = await writeSectionValues(file, CRED_HELPERS, [[ECR, HELPER]], LOCK_MS);
    const second = await writeSectionValues(file, CRED_HELPERS, [[ECR, 'acr-login-second']], LOCK_MS);
    expect(second).toEqual([edit(ECR, 'acr-login-second', HELPER)]);

    expect(await undo(file, CRED_HELPERS, [...first, ...second])).toEqual({
      restored: 2,
      removed: 0,
      skipped: [],
    });
    expect(await contents(file)).toBe(original);
  });

  test('a file that is no longer JSON is left untouched, and each edit is reported with the reason', async () => {
    const file = await configFile('fixture');
    const edits = await writeSectionValues(file, AUTHS, [[CONTOSO, { auth: 'Yzpw' }]], LOCK_MS);
    await writeFile(file, '{"auths": ');

    const result = await undo(file, AUTHS, edits);
    expect(result).toEqual({
      restored: 0,
      removed: 0,
      skipped: [{ file, key: CONTOSO, reason: expect.stringContaining('is not a JSON object') }],
    });
    expect(await contents(file)).toBe('{"auths": ');
  });

  test('a file gone is nothing to undo: no file is made, nothing is reported, `before` still runs', async () => {
    const file = await configFile(undefined);
    const edits = await writeSectionValues(file, CRED_HELPERS, [[CONTOSO, HELPER]], LOCK_MS);
    await rm(file);
    const deadlines: (number | undefined)[] = [];

    const result = await undo(file, CRED_HELPERS, edits, async (deadline) => {
      deadlines.push(deadline);
      return [{ key: CONTOSO, value: 'ecr-login' }];
    });
    expect(result).toEqual(emptyUndoResult());
    expect(deadlines).toEqual([undefined]);
    expect(await contents(file)).toBeUndefined();
  });
});

describe('credHelpers routes set back by `before` (the reset path)', () => {
  // Spaced out as no writer of this project lays a file out: a rewrite, even of the same values, shows.
  const TEXT = `{"credHelpers": {"gcr.io": "gcloud", "${CONTOSO}": "acr-env"}, "credsStore": "pass"}`;

  test.each<{ name: string; resets: Reset[]; after: 'unchanged' | ConfigObject }>([
    {
      name: 'a route someone else wrote is set to the given value',
      resets: [{ key: CONTOSO, value: 'ecr-login' }],
      after: { credHelpers: { 'gcr.io': 'gcloud', [CONTOSO]: 'ecr-login' }, credsStore: 'pass' },
    },
    {
      name: 'null removes the route',
      resets: [{ key: CONTOSO, value: null }],
      after: { credHelpers: { 'gcr.io': 'gcloud' }, credsStore: 'pass' },
    },
    {
      name: 'a route that is missing is added',
      resets: [{ key: FABRIKAM, value: 'pass' }],
      after: {
        credHelpers: { 'gcr.io': 'gcloud', [CONTOSO]: 'acr-env', [FABRIKAM]: 'pass' },
        credsStore: 'pass',
      },
    },
    {
      name: 'several routes at once, the others kept',
      resets: [
        { key: CONTOSO, value: null },
        { key: FABRIKAM, value: 'ecr-login' },
      ],
      after: { credHelpers: { 'gcr.io': 'gcloud', [FABRIKAM]: 'ecr-login' }, credsStore: 'pass' },
    },
    {
      name: 'routes already as asked (a value held, null for one missing): the file is not rewritten',
      resets: [
        { key: CONTOSO, value: 'acr-env' },
        { key: FABRIKAM, value: null },
      ],
      after: 'unchanged',
    },
    { name: 'no resets and no edits: the file is not rewritten', resets: [], after: 'unchanged' },
  ])('$name', async ({ resets, after }) => {
    const file = await configFile(TEXT);
    // Resets are counted by whoever does them (the helper's restore), not here.
    expect(await undo(file, CRED_HELPERS, [], async () => resets)).toEqual(emptyUndoResult());
    if (after === 'unchanged') expect(await contents(file)).toBe(TEXT);
    else expect(await json(file)).toEqual(after);
  });

  test('a value set back into a section someone removed since brings the section back; null needs none', async () => {
    const text = '{\n\t"credsStore": "pass"\n}';
    const file = await configFile(text);
    expect(await undo(file, CRED_HELPERS, [], async () => [{ key: FABRIKAM, value: null }])).toEqual(
      emptyUndoResult(),
    );
    expect(await contents(file)).toBe(text);
    expect(await undo(file, CRED_HELPERS, [], async () => [{ key: CONTOSO, value: 'ecr-login' }])).toEqual(
      emptyUndoResult(),
    );
    expect(await json(file)).toEqual({ credsStore: 'pass', credHelpers: { [CONTOSO]: 'ecr-login' } });
  });

  test("`before` runs under the file's lock, with a deadline the lock's longest hold away", async () => {
    const file = await configFile(TEXT);
    const start = Date.now();
    let seen: { deadline: number | undefined; locked: boolean } | undefined;
    await undo(file, CRED_HELPERS, [], async (deadline) => {
      const locked = await stat(`${file}.lock`).then(
        () => true,
        () => false,
      );
      seen = { deadline, locked };
      return [];
    });
    expect(seen?.locked).toBe(true);
    expect(seen?.deadline).toBeGreaterThanOrEqual(start + LONGEST_HOLD_MS);
    expect(seen?.deadline).toBeLessThanOrEqual(Date.now() + LONGEST_HOLD_MS);
  });

  test('resets and the edits are undone in one go: resets first, then each edit still holding its value', async () => {
    const file = await configFile(TEXT);
    const edits = await writeSectionValues(file, CRED_HELPERS, [[FABRIKAM, HELPER]], LOCK_MS);

    const result = await undo(file, CRED_HELPERS, edits, async () => [{ key: CONTOSO, value: null }]);
    expect(result).toEqual({ restored: 0, removed: 1, skipped: [] });
    expect(await json(file)).toEqual({ credHelpers: { 'gcr.io': 'gcloud' }, credsStore: 'pass' });
  });

  test('a reset that empties a section the login created removes the section', async () => {
    const file = await configFile('{\n\t"credsStore": "pass"\n}');
    const original = await contents(file);
    const edits = await writeSectionValues(file, CRED_HELPERS, [[CONTOSO, HELPER]], LOCK_MS);
    const config = await json(file);
    (config.credHelpers as ConfigObject)[FABRIKAM] = 'acr-env';
    await writeFile(file, JSON.stringify(config, null, '\t'));

    const result = await undo(file, CRED_HELPERS, edits, async () => [{ key: FABRIKAM, value: null }]);
    expect(result).toEqual({ restored: 0, removed: 1, skipped: [] });
    expect(await contents(file)).toBe(original);
  });
});
