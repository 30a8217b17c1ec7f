/**
 * Shows what a CI run shows: a step's log with workflow commands consumed and secrets masked, its outputs,
 * and the job summary rendered as a table. Shared by the demo and `npm run try`.
 */

export const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** Replaces every secret (longest first, so a secret inside another is not half shown) with ***. */
export function mask(text: string, secrets: Iterable<string>): string {
  let shown = text;
  for (const secret of [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length))
    shown = shown.split(secret).join('***');
  return shown;
}

/** The values a GitHub step registered with `::add-mask::`, and an Azure Pipelines task with `task.setsecret`. */
export function maskedValues(stdout: string): string[] {
  return [...stdout.matchAll(/^(?:::add-mask::|##vso\[task\.setsecret\])(.*)$/gm)].flatMap((m) =>
    m[1] ? [m[1]] : [],
  );
}

/** The data of a `##vso[...]` command, unescaped as the agent does. */
export const unescapeCommand = (text: string) =>
  text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');

const indent = (text: string) => text.replace(/\r?\n/g, '\n  ');

/** A step's log as the runner or agent renders it: commands consumed, errors and warnings labelled. */
export function renderLog(output: string, secrets: Iterable<string>): string {
  const masks = [...secrets, ...maskedValues(output)];
  const lines: string[] = [];
  for (const line of output.split('\n')) {
    if (line === '' || line.startsWith('::add-mask::') || line.startsWith('::debug::')) continue;
    const issue = /^##vso\[task\.(?:logissue|issue) type=(error|warning)[^\]]*\](.*)$/.exec(line);
    if (issue) {
      lines.push(
        `  ${issue[1] === 'error' ? 'Error' : 'Warning'}: ${indent(unescapeCommand(issue[2] ?? ''))}`,
      );
      continue;
    }
    // The agent shows the failure message as an error already; the result is what remains to say.
    const complete = /^##vso\[task\.complete result=(\w+)/.exec(line);
    if (complete) {
      if (complete[1] !== 'Succeeded') lines.push(`  Result: ${complete[1]}`);
      continue;
    }
    if (line.startsWith('##vso[')) continue;
    lines.push(
      `  ${line.replace(/^::(error|warning)::/, (_, kind: string) => `${kind === 'error' ? 'Error' : 'Warning'}: `)}`,
    );
  }
  return mask(lines.join('\n'), masks);
}

/** Outputs as name/value lines; the password and every masked value show as ***. */
export function renderOutputs(outputs: Readonly<Record<string, string>>, secrets: Iterable<string>): string {
  const names = Object.keys(outputs);
  if (names.length === 0) return '  (none)';
  const width = Math.max(0, ...names.map((n) => n.length));
  const masks = [...secrets];
  return names
    .map((name) => {
      const value = outputs[name] ?? '';
      const shown = /password/i.test(name) && value !== '' ? '***' : mask(value, masks);
      return `  ${name.padEnd(width)}  ${shown === '' ? '(empty)' : shown}`;
    })
    .join('\n');
}

const decode = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

const stripTags = (html: string) => decode(html.replace(/<[^>]+>/g, '')).trim();

/** Rows of cells as an aligned text table, the header row underlined. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((r) => (r[c] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    `  ${widths
      .map((w, c) => (row[c] ?? '').padEnd(w))
      .join(' | ')
      .trimEnd()}`;
  const [header, ...body] = rows;
  if (header === undefined) return '';
  return [line(header), `  ${widths.map((w) => '-'.repeat(w)).join('-+-')}`, ...body.map(line)].join('\n');
}

/**
 * The job summary as GitHub shows it: headings on their own line, HTML tables as aligned tables (not
 * flattened onto one line), Markdown passed through, other tags removed.
 */
export function renderSummary(summary: string): string {
  const html = summary
    .replace(/<h\d[^>]*>([\s\S]*?)<\/h\d>/g, (_, text: string) => `\n${bold(stripTags(text))}\n`)
    .replace(/<table[^>]*>([\s\S]*?)<\/table>/g, (_, body: string) => {
      const rows = [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
        [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
          stripTags(cell[1] ?? ''),
        ),
      );
      return `\n${textTable(rows)}\n`;
    })
    .replace(/<br\s*\/?>/g, '\n');
  return html
    .split('\n')
    .map((line) => (line.startsWith('  ') ? line : stripTags(line) === '' ? '' : `  ${stripTags(line)}`))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}
