/**
 * `WWW-Authenticate` parsing per RFC 7235 section 4.1 (with RFC 9110's quoted-string rules). Values such
 * as `scope="repository:a:pull,push"` contain commas, so the header cannot be split on `,`: it is read
 * token by token. The parser is lenient: text it cannot read is skipped, never thrown on, because the
 * header comes from a server and callers only look for one scheme.
 */

export interface AuthChallenge {
  /** Lower case: schemes are case-insensitive. */
  readonly scheme: string;
  /** Parameter names in lower case; values unquoted and unescaped. The first of a repeated name wins. */
  readonly params: Readonly<Record<string, string>>;
  /** The `token68` form (e.g. `Negotiate abc==`), used instead of parameters. */
  readonly token68?: string;
}

export interface BearerChallenge {
  readonly realm?: string;
  readonly service?: string;
  readonly scope?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  skipSpaceAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }

  readWhile(pattern: RegExp): string {
    const start = this.pos;
    while (!this.done && pattern.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** quoted-string: `"` *( qdtext / `\` any ) `"`. An unterminated string runs to the end of the header. */
  readQuoted(): string {
    this.pos++;
    let value = '';
    while (!this.done) {
      const char = this.peek();
      this.pos++;
      if (char === '"') return value;
      if (char === '\\' && !this.done) {
        value += this.peek();
        this.pos++;
      } else {
        value += char;
      }
    }
    return value;
  }

  /** Reads `name BWS "=" BWS` when it is there; otherwise leaves the position unchanged. */
  tryParamName(): string | undefined {
    const start = this.pos;
    const name = this.readWhile(TCHAR);
    this.skipSpace();
    if (name !== '' && this.peek() === '=') {
      this.pos++;
      this.skipSpace();
      // `abc==` is a token68, not a parameter `abc` with the value `=`.
      if (this.peek() === '"' || TCHAR.test(this.peek())) return name.toLowerCase();
    }
    this.pos = start;
    return undefined;
  }

  /** token68 followed by the end of the challenge; otherwise leaves the position unchanged. */
  tryToken68(): string | undefined {
    const start = this.pos;
    let value = this.readWhile(TOKEN68_CHAR);
    if (value !== '') value += this.readWhile(/=/);
    this.skipSpace();
    if (value !== '' && (this.done || this.peek() === ',')) return value;
    this.pos = start;
    return undefined;
  }
}

export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const reader = new Reader(header);
  const challenges: AuthChallenge[] = [];
  while (true) {
    reader.skipSpaceAndCommas();
    if (reader.done) return challenges;
    const scheme = reader.readWhile(TCHAR);
    if (scheme === '') {
      reader.pos++;
      continue;
    }
    const params: Record<string, string> = Object.create(null);
    let token68: string | undefined;
    // Parameters need whitespace after the scheme; `Bearer,Basic` is two bare challenges.
    if (reader.peek() === ' ' || reader.peek() === '\t') {
      reader.skipSpace();
      const start = reader.pos;
      const isParam = reader.tryParamName() !== undefined;
      reader.pos = start;
      token68 = isParam ? undefined : reader.tryToken68();
      if (token68 === undefined) readParams(reader, params);
    }
    challenges.push({ scheme: scheme.toLowerCase(), params, ...(token68 === undefined ? {} : { token68 }) });
  }
}

/** Reads `name=value` pairs separated by commas until something that is not a parameter (the next challenge). */
function readParams(reader: Reader, params: Record<string, string>): void {
  while (true) {
    const start = reader.pos;
    reader.skipSpaceAndCommas();
    const name = reader.tryParamName();
    if (name === undefined) {
      reader.pos = start;
      return;
    }
    const value = reader.peek() === '"' ? reader.readQuoted() : reader.readWhile(TCHAR);
    if (!(name in params)) params[name] = value;
    reader.skipSpace();
    if (!reader.done && reader.peek() !== ',') {
      // Garbage after a value: skip to the next comma so one bad parameter does not hide the rest.
      while (!reader.done && reader.peek() !== ',') reader.pos++;
    }
  }
}

/** `realm`, `service` and `scope` of the first Bearer challenge, or undefined when there is none. */
export function bearerChallenge(header: string): BearerChallenge | undefined {
  const bearer = parseWwwAuthenticate(header).find((challenge) => challenge.scheme === 'bearer');
  if (bearer === undefined) return undefined;
  const { realm, service, scope } = bearer.params;
  return {
    ...(realm === undefined ? {} : { realm }),
    ...(service === undefined ? {} : { service }),
    ...(scope === undefined ? {} : { scope }),
  };
}
