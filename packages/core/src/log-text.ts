/**
 * Text from outside (a registry's or Entra's error, a server's answer) on its way to a CI log. The runner
 * and the agent act on lines that look like their commands (GitHub: `::name::` at a line's start or `##[`
 * anywhere; Azure Pipelines: `##vso[` anywhere), and CR, LF and the other control characters start such a
 * line or hide what comes before it.
 */

// C0 controls, DEL, C1 controls (NEL among them), and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** `text` on one line: every run of control characters becomes one space. */
export function stripControl(text: string): string {
  return text.replace(CONTROL, ' ');
}

/**
 * One line no CI acts on, whichever CI shows it: for a process that does not know its host (the credential
 * helper, whose stderr reaches the job's log through the client). The markers keep their look, as the
 * Azure Pipelines tasks' `##_vso[` does.
 */
export function logSafe(text: string): string {
  return stripControl(text)
    .replace(/##(vso\[)/gi, '##_$1')
    .replace(/##\[/g, '##_[')
    .replace(/^(\s*:):/, '$1_:');
}
