import { AcrLoginError } from '../errors.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import { SECRET_INPUTS } from '../plan/names.ts';
import { LOGIN_INPUT_KEYS, type Logger, type LoginInputs, type StepInputKey } from '../types.ts';
import { input, render } from '../wording.ts';
import type { Host } from './host.ts';
import { failureText, secretPieces } from './report.ts';

/** The step's own switches, beside the login's inputs. */
export interface StepSwitches {
  /** `logout`: the post step takes the login's entries out again. */
  readonly logoutAfter: boolean;
  readonly renew: boolean;
  readonly isolate: boolean;
  readonly pullSecret: boolean;
}

export interface StepInputs {
  readonly inputs: LoginInputs;
  readonly switches: StepSwitches;
  readonly logger: Logger;
}

/** Masks a secret the moment it exists: line by line, as runners and agents redact. */
export function maskSecret(host: Host, secret: string | undefined): void {
  for (const piece of secretPieces(secret ?? '')) host.mask(piece);
}

function parseBoolean(host: Host, key: StepInputKey, fallback: boolean): boolean {
  const value = host.input(key).trim();
  const normalised = value.toLowerCase();
  if (normalised === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(normalised)) return true;
  if (['false', 'no', '0', 'off'].includes(normalised)) return false;
  throw new AcrLoginError('INPUT_INVALID', `${input(key)} must be true or false, not "${value}".`, {
    input: key,
  });
}

/** The login's inputs and the step's switches; secret inputs are masked before anything else can print them. */
export function readStepInputs(host: Host): StepInputs {
  for (const key of [...SECRET_INPUTS, 'clientCertificate'] as const) maskSecret(host, host.input(key));
  const inputs = Object.fromEntries(
    LOGIN_INPUT_KEYS.flatMap((key) => {
      const value = host.input(key);
      return value.trim() === '' ? [] : [[key, value]];
    }),
  ) as unknown as LoginInputs;
  const switches: StepSwitches = {
    logoutAfter: parseBoolean(host, 'logout', true),
    renew: parseBoolean(host, 'renew', false),
    isolate: parseBoolean(host, 'isolateConfig', true),
    pullSecret: parseBoolean(host, 'pullSecret', false),
  };
  const logger = hostLogger(host, parseBoolean(host, 'maskPassword', true));
  return { inputs, switches, logger };
}

/** The host's logger, with the registry password left unmasked when the user asked for it. */
export function hostLogger(host: Host, maskPassword: boolean): Logger {
  let warned = false;
  return {
    debug: (message) => host.debug(message),
    info: (message) => host.info(message),
    warning: (message) => host.warning(message),
    mask(secret, kind) {
      if (kind === 'registry-password' && !maskPassword) {
        if (!warned) host.warning(host.text('PasswordUnmasked', host.words.input('maskPassword')));
        warned = true;
        return;
      }
      maskSecret(host, secret);
    },
  };
}

/** Fails the step: core's text, the plan's note on what the inputs may have meant, then the host's hints. */
export function failStep(host: Host, error: unknown, plan?: LoginPlan): void {
  const note = plan?.note === undefined ? [] : [render(plan.note, host.words)];
  host.fail(failureText(error, host.words, [...note, ...(host.hints?.(error) ?? [])]));
}
