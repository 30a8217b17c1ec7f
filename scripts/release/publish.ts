/**
 * How a release publishes the extension: `tfx extension publish` with a Marketplace token. The token is
 * answered to tfx's own prompt on stdin, so it is never on a command line; a dry run prints the command
 * and needs no token.
 */

/** The GitHub secret (and environment variable) that holds the Marketplace personal access token. */
export const TOKEN_VARIABLE = 'AZURE_DEVOPS_MARKETPLACE_TOKEN';

export interface PublishOptions {
  /** Azure DevOps organisations to share a private extension with (`public: false`). */
  readonly shareWith?: readonly string[];
}

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

export function publishCommand(vsix: string, options: PublishOptions = {}): Command {
  const share = options.shareWith?.filter((org) => org !== '') ?? [];
  return {
    file: 'npx',
    args: [
      '--no-install',
      'tfx',
      'extension',
      'publish',
      '--vsix',
      vsix,
      '--no-color',
      ...(share.length > 0 ? ['--share-with', ...share] : []),
    ],
  };
}

/** The command as a shell line, for the dry run and the log: it never holds the token. */
export const describe = (command: Command): string =>
  [command.file, ...command.args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`)).join(' ');
