import type { LoginPlan, LoginResult } from '@acr-login/core';
import * as core from '@actions/core';

/** A job summary table: which registry, as whom, with which audience, until when. No secrets. */
export async function writeSummary(result: LoginResult, plan: LoginPlan): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const rows = result.credentials.map((credential) => [
    credential.loginServer,
    credential.identity,
    credential.audience ?? '-',
    credential.expiresOn?.toISOString() ?? '-',
  ]);
  await core.summary
    .addHeading('Azure Container Registry login', 3)
    .addTable([
      [
        { data: 'Registry', header: true },
        { data: 'Identity', header: true },
        { data: 'Audience', header: true },
        { data: 'Expires', header: true },
      ],
      ...rows,
    ])
    .addRaw(`Auth type: ${plan.authType}. Clients: ${plan.clients.join(', ')}.`, true)
    .write();
}
