import { AcrLoginError } from '../errors.ts';
import type { HttpClient, HttpResponse } from '../http.ts';
import type { RepositoryAction, RepositoryRequest } from '../plan/repositories.ts';
import { accessMissingError } from './access-advice.ts';
import {
  type AccessTarget,
  accessRequest,
  accessRequests,
  processAccessResponse,
  type RepositoryAccess,
} from './access-protocol.ts';

async function checkTarget(
  http: HttpClient,
  target: AccessTarget,
  requests: readonly RepositoryRequest[],
  mask: (secret: string) => void,
): Promise<RepositoryAccess[]> {
  const repositories = requests.map((r) => r.repository);
  const granted = new Map<string, { actions: readonly RepositoryAction[]; refusal?: string }>();
  const ask = async (batch: readonly string[]): Promise<void> => {
    const res = await http.send(accessRequest(target, batch));
    maskToken(res, mask);
    const result = processAccessResponse(target.loginServer, batch, res);
    if (result.kind === 'granted') {
      for (const [repository, actions] of result.granted) granted.set(repository, { actions });
    } else if (batch.length > 1) {
      // A refused batch says nothing about which repository was refused: ask each alone.
      await Promise.all(batch.map((repository) => ask([repository])));
    } else {
      granted.set(batch[0] as string, { actions: [], refusal: result.reason });
    }
  };
  await Promise.all(accessRequests(target, repositories).map((batch) => ask(batch.repositories)));
  return requests.map((r) => {
    const g = granted.get(r.repository) ?? { actions: [] };
    return {
      loginServer: r.loginServer,
      repository: r.repository,
      asked: r.actions,
      granted: g.actions,
      ...(g.refusal === undefined ? {} : { refusal: g.refusal }),
    };
  });
}

function maskToken(res: HttpResponse, mask: (secret: string) => void): void {
  if (res.status !== 200) return;
  try {
    const token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
    if (typeof token === 'string' && token !== '') mask(token);
  } catch {
    // unreadable: processAccessResponse reports it
  }
}

/**
 * Checks every requested repository on its registry's target (registries in parallel) and returns what was
 * granted, in the order asked. Throws one `ACR_ACCESS_MISSING` error covering every registry with a gap.
 */
export async function checkAccess(
  http: HttpClient,
  targets: readonly AccessTarget[],
  requests: readonly RepositoryRequest[],
  mask: (secret: string) => void,
): Promise<RepositoryAccess[]> {
  const perTarget = await Promise.all(
    targets.map(async (target) => {
      const mine = requests.filter((r) => r.loginServer === target.loginServer);
      const results = mine.length === 0 ? [] : await checkTarget(http, target, mine, mask);
      return { target, results };
    }),
  );
  const errors = perTarget.flatMap(({ target, results }) => accessMissingError(target, results) ?? []);
  const [first] = errors;
  if (first !== undefined) {
    if (errors.length === 1) throw first;
    throw new AcrLoginError('ACR_ACCESS_MISSING', errors.map((e) => e.text).join('\n'), {
      input: 'repositories',
      details: first.details,
      cause: new AggregateError(errors),
    });
  }
  const byKey = new Map(
    perTarget.flatMap(({ results }) => results).map((r) => [`${r.loginServer}/${r.repository}`, r]),
  );
  return requests.flatMap((r) => byKey.get(`${r.loginServer}/${r.repository}`) ?? []);
}
