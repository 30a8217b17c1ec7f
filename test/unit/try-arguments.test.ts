import { describe, expect, test } from 'vitest';
import { knownInputs, parseTryArguments, resolveValues } from '../../scripts/try.ts';

/** `npm run try` takes inputs as arguments, since names with hyphens cannot be exported from bash. */

describe('arguments', () => {
  test.each([
    [['--registry', 'contoso'], { registry: 'contoso' }],
    [['--client-id=@sp', '--tenant-id', '@tenant'], { 'client-id': '@sp', 'tenant-id': '@tenant' }],
    [['--registry', 'a,b', '--registry', 'c'], { registry: 'c' }],
    [['--password', '--x'], { password: '--x' }],
    [['--logout='], { logout: '' }],
  ])('%j', (argv, inputs) => {
    expect(parseTryArguments(argv).inputs).toEqual(inputs);
  });

  test('the script flags are not inputs', () => {
    expect(parseTryArguments(['--ado', '--no-pull', '--no-post', '--registry', 'r'])).toEqual({
      ado: true,
      pull: false,
      post: false,
      help: false,
      inputs: { registry: 'r' },
    });
  });

  test.each([
    [['--registry'], '--registry needs a value'],
    [['contoso'], '"contoso" is not an input'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseTryArguments(argv)).toThrow(message);
  });

  test('input names come from action.yml and task.json', () => {
    expect(knownInputs(false)).toEqual(expect.arrayContaining(['registry', 'client-id', 'auth-type']));
    expect(knownInputs(false)).not.toContain('authType');
    expect(knownInputs(true)).toEqual(
      expect.arrayContaining(['registry', 'authType', 'connectedServiceNameARM']),
    );
  });
});

describe('@ values', () => {
  const values = { tenant: 't-1', sp: 'c-1', 'sp-secret': 's-1' };

  test('stand for the emulator values; other values are kept', () => {
    expect(
      resolveValues({ 'tenant-id': '@tenant', 'client-id': '@sp', registry: 'contoso', x: 'a@b' }, values),
    ).toEqual({ 'tenant-id': 't-1', 'client-id': 'c-1', registry: 'contoso', x: 'a@b' });
  });

  test('an unknown one names the known ones', () => {
    expect(() => resolveValues({ 'client-secret': '@secret' }, values)).toThrow(
      '--client-secret @secret: the emulator has no "@secret". Use one of @tenant, @sp, @sp-secret.',
    );
  });
});
