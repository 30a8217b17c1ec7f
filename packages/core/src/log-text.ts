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
  return inertLine(stripControl(text));
}

/**
 * One line with every marker a CI acts on given an underscore: `##vso[` and `##[` anywhere, `::` at its start.
 * Both hosts pass their plain log lines through it, so the rule has one home.
 */
export function inertLine(line: string): string {
  return line.replace(/##(vso\[|\[)/gi, '##_$1').replace(/^(\s*:):/, '$1_:');
}

// A header in a log line however it is written: `"authorization":"Bearer x"`, `Authorization: Basic x`.
const AUTHORIZATION =
  /(["']?(?:proxy-)?authorization["']?\s*[:=]\s*)(?:"[^"]*"|'[^']*'|[^\s,;}]+(?:[ \t]+[^\s,;}"']+)?)/gi;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/g;
const REQUEST_KEY = /"request"\s*:\s*\{/g;

/**
 * The Azure SDK's log lines without credentials: it logs whole responses (`JSON.stringify(response)` in
 * AzurePipelinesCredential), whose `request` carries the job's access token in its `authorization` header,
 * and its own log policy's redaction does not cover them. Request objects go entirely; any authorization
 * value or bearer token left is replaced.
 */
export function redactSdkLog(text: string): string {
  return withoutRequestObjects(text).replace(AUTHORIZATION, '$1"REDACTED"').replace(BEARER, '$1 REDACTED');
}

/** `"request":{...}` becomes `"request":"REDACTED"`; an object cut short takes the rest of the text with it. */
function withoutRequestObjects(text: string): string {
  let out = '';
  let from = 0;
  REQUEST_KEY.lastIndex = 0;
  for (let match = REQUEST_KEY.exec(text); match !== null; match = REQUEST_KEY.exec(text)) {
    let end = match.index + match[0].length - 1;
    let depth = 0;
    let quoted = false;
    for (; end < text.length; end++) {
      const char = text[end];
      if (quoted) {
        if (char === '\\') end++;
        else if (char === '"') quoted = false;
      } else if (char === '"') quoted = true;
      else if (char === '{') depth++;
      else if (char === '}' && --depth === 0) break;
    }
    out += `${text.slice(from, match.index)}"request":"REDACTED"`;
    from = end + 1;
    REQUEST_KEY.lastIndex = from;
  }
  return out + text.slice(from);
}
