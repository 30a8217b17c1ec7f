/**
 * The pieces of a secret to register with the agent. Task-lib refuses a value with line breaks (the
 * agent masks line by line), so multi-line secrets such as a PEM certificate with its private key are
 * masked one line at a time. PEM armour lines (`-----BEGIN ...`) and very short lines are not secret and
 * would redact unrelated log text, so they are left out.
 */
export function secretPieces(secret: string): string[] {
  if (!/[\r\n]/.test(secret)) return secret.trim() === '' ? [] : [secret];
  const lines = secret
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 8 && !line.startsWith('-----'));
  return [...new Set(lines)];
}
