/**
 * The release steps, runnable locally exactly as the release workflow runs them:
 *
 *   node --import tsx scripts/release/release.ts bump 1.2.3        set every version at once
 *   node --import tsx scripts/release/release.ts check [v1.2.3]    every version agrees (with the tag)
 *   node --import tsx scripts/release/release.ts notes v1.2.3      the CHANGELOG.md section of that version
 *   node --import tsx scripts/release/release.ts major v1.2.3      the major tag to move (v1)
 *   node --import tsx scripts/release/release.ts publish FILE.vsix [--share-with org,...] [--dry-run]
 *
 * `--root DIR` works on another checkout (the tests use copies).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { releaseNotes } from './changelog.ts';
import { describe, publishCommand, TOKEN_VARIABLE } from './publish.ts';
import { bumpVersion, disagreements, format, majorTag, parseTag, parseVersion } from './versions.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string', default: resolve(import.meta.dirname, '../..') },
    'dry-run': { type: 'boolean', default: false },
    'share-with': { type: 'string', default: '' },
  },
});
const [command, argument] = positionals;
const root = values.root;

/** A tag (v1.2.3) or a bare version (1.2.3). */
const versionOf = (text: string) => (text.startsWith('v') ? parseTag(text) : parseVersion(text));

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new Error(`"${command}" needs ${what}.`);
  return value;
}

async function main(): Promise<void> {
  switch (command) {
    case 'bump': {
      const version = versionOf(need(argument, 'the new version, e.g. 1.2.3'));
      const changed = bumpVersion(root, version);
      console.log(
        changed.length === 0 ? `Every version is already ${format(version)}.` : `Set ${format(version)} in:`,
      );
      for (const file of changed) console.log(`  ${file}`);
      console.log(
        `Next: move the Unreleased notes in CHANGELOG.md under "## [${format(version)}] - <date>", run "npm run build", commit, then tag v${format(version)}.`,
      );
      return;
    }
    case 'check': {
      const expected = argument === undefined ? undefined : parseTag(argument);
      const wrong = disagreements(root, expected);
      if (wrong.length === 0) {
        console.log(`Every version agrees${expected === undefined ? '' : ` with ${argument}`}.`);
        return;
      }
      const want = expected === undefined ? 'the root package.json' : `the tag ${argument}`;
      throw new Error(
        `These versions disagree with ${want}:\n${wrong.map((s) => `  ${s.file} ${s.where}: ${s.version}`).join('\n')}\nRun "node --import tsx scripts/release/release.ts bump <version>" to set them all.`,
      );
    }
    case 'notes': {
      const version = versionOf(need(argument, 'the tag, e.g. v1.2.3'));
      process.stdout.write(releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version));
      return;
    }
    case 'major': {
      console.log(majorTag(parseTag(need(argument, 'the tag, e.g. v1.2.3'))));
      return;
    }
    case 'publish': {
      const vsix = need(argument, 'the .vsix file to publish');
      const shareWith = values['share-with'].split(',').map((org) => org.trim());
      const cmd = publishCommand(vsix, { shareWith });
      if (values['dry-run']) {
        console.log(`Would run: ${describe(cmd)}`);
        console.log(`with the personal access token from ${TOKEN_VARIABLE} on stdin.`);
        return;
      }
      const token = process.env[TOKEN_VARIABLE] ?? '';
      if (token === '') {
        throw new Error(
          `${TOKEN_VARIABLE} is empty. Create a personal access token with the Marketplace (Publish) scope for "All accessible organizations" and store it as the repository secret ${TOKEN_VARIABLE} (see docs/releasing.md), or pass --dry-run.`,
        );
      }
      console.log(`Running: ${describe(cmd)}`);
      // tfx asks for the token when none is given on the command line; answer on stdin.
      const child = spawn(cmd.file, cmd.args, { cwd: root, stdio: ['pipe', 'inherit', 'inherit'] });
      child.stdin.end(`${token}\n`);
      const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
      if (code !== 0) throw new Error(`tfx extension publish failed (exit code ${code}).`);
      return;
    }
    default:
      throw new Error(
        `Unknown command "${command ?? ''}". Use bump, check, notes, major or publish (see the top of scripts/release/release.ts).`,
      );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
