import type { SummaryView } from '@acr-login/core';
import * as core from '@actions/core';

/**
 * A job summary table: which registry, as whom, with which audience, until when; then what each listed
 * repository was granted. No secrets.
 */
export async function writeSummary(view: SummaryView): Promise<void> {
  const summary = core.summary
    .addHeading('Azure Container Registry login', 3)
    .addTable([
      [
        { data: 'Registry', header: true },
        { data: 'Identity', header: true },
        { data: 'Audience', header: true },
        { data: 'Expires', header: true },
      ],
      ...view.rows.map((row) => [...row]),
    ])
    .addRaw(`Auth type: ${view.authType}. Clients: ${view.clients.join(', ')}.`, true)
    .addRaw(view.notes.map((note) => `\n${note}\n`).join(''), true);
  if (view.access.length > 0) {
    summary.addHeading('Repository access', 4).addTable([
      [
        { data: 'Registry', header: true },
        { data: 'Repository', header: true },
        { data: 'Asked', header: true },
        { data: 'Granted', header: true },
      ],
      ...view.access.map((row) => [...row]),
    ]);
  }
  await summary.write();
}
