import type { SummaryView } from '@acr-login/core';
import * as core from '@actions/core';

/** A job summary table: which registry, as whom, with which audience, until when. No secrets. */
export async function writeSummary(view: SummaryView): Promise<void> {
  await core.summary
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
    .addRaw(view.notes.map((note) => `\n${note}\n`).join(''), true)
    .write();
}
