/**
 * The lines of a step's output that a CI would act on as commands, by the rules of its log processor:
 * - GitHub's runner reads lines ending in CR, LF or CRLF; a line is a command when it starts with `::` after
 *   leading white space, or holds `##[` anywhere (actions/runner, ActionCommand.TryParseV2 and TryParse);
 * - the Azure Pipelines agent acts on `##vso[` anywhere in a line.
 */
export function commandLines(output: string, ci: 'github' | 'azure-pipelines'): string[] {
  return output
    .split(/\r\n|\r|\n/)
    .filter((line) =>
      ci === 'github' ? /^\s*::/.test(line) || line.includes('##[') : /##vso\[/i.test(line),
    );
}
