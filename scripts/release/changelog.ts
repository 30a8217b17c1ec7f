/**
 * Release notes come from CHANGELOG.md (Keep a Changelog): the body of the `## [1.2.3]` section, without
 * its heading and without the link definitions that close the file.
 */
import { format, type Version } from './versions.ts';

export function releaseNotes(changelog: string, version: Version): string {
  const wanted = format(version);
  const lines = changelog.split(/\r?\n/);
  const heading = /^## \[?([^\]\s]+)\]?(?:\s+-\s+.*)?\s*$/;
  const start = lines.findIndex((line) => heading.exec(line)?.[1] === wanted);
  if (start === -1) {
    throw new Error(
      `CHANGELOG.md has no "## [${wanted}]" section. Move the entries under "## [Unreleased]" to a new "## [${wanted}] - YYYY-MM-DD" heading before tagging.`,
    );
  }
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('## '));
  const body = (end === -1 ? rest : rest.slice(0, end))
    .filter((line) => !/^\[[^\]]+\]:\s+\S+/.test(line))
    .join('\n')
    .trim();
  if (body === '') throw new Error(`CHANGELOG.md: the "## [${wanted}]" section is empty. Say what changed.`);
  return `${body}\n`;
}
