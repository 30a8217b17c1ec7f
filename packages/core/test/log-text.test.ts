import { describe, expect, test } from 'vitest';
import { logSafe, stripControl } from '../src/log-text.ts';

describe('stripControl', () => {
  test.each([
    ['plain text', 'plain text'],
    ['a\r\nb', 'a b'],
    ['a\n::warning::b', 'a ::warning::b'],
    ['bell\u0007 and escape \u001b[31mred', 'bell  and escape  [31mred'],
    ['nel\u0085and separators\u2028\u2029end', 'nel and separators end'],
    ['tab\tand del\u007f', 'tab and del '],
  ])('%j', (text, expected) => {
    expect(stripControl(text)).toBe(expected);
  });
});

describe('logSafe', () => {
  test.each([
    ['registry said no', 'registry said no'],
    ['::warning::injected', ':_:warning::injected'],
    ['  ::error::injected', '  :_:error::injected'],
    ['a\n::warning::b', 'a ::warning::b'],
    ['x ##vso[task.setvariable variable=PATH]/evil', 'x ##_vso[task.setvariable variable=PATH]/evil'],
    ['x ##VSO[task.complete result=Failed]', 'x ##_VSO[task.complete result=Failed]'],
    ['x ##[warning]legacy command', 'x ##_[warning]legacy command'],
    ['IPv6 ::1 and https://host', 'IPv6 ::1 and https://host'],
  ])('%j', (text, expected) => {
    expect(logSafe(text)).toBe(expected);
  });
});
