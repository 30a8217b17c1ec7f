import { describe, expect, test } from 'vitest';
import { detectLayout, serialise } from '../../src/clients/config-file.ts';

describe('detectLayout keeps the formatting of the file it read', () => {
  test.each([
    ['docker (tabs, no newline)', '{\n\t"auths": {}\n}', { indent: '\t', finalNewline: false }],
    ['two spaces and a newline', '{\n  "auths": {}\n}\n', { indent: '  ', finalNewline: true }],
    ['four spaces', '{\n    "auths": {}\n}', { indent: '    ', finalNewline: false }],
    ['compact', '{"auths":{}}\n', { indent: '', finalNewline: true }],
    ['an empty object is written like docker', '{}', { indent: '\t', finalNewline: false }],
    ['an empty file too', '', { indent: '\t', finalNewline: false }],
  ])('%s', (_name, text, layout) => {
    expect(detectLayout(text)).toEqual(layout);
  });
});

test('a config that was never read is written like docker writes it', () => {
  expect(serialise({ auths: {} })).toBe('{\n\t"auths": {}\n}');
});
