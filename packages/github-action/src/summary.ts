import { ACCESS_TABLE_HEADER, type SummaryView } from '@acr-login/core';
import { appendSummary, summaryHeading, summaryTable } from './runner.ts';

/**
 * A job summary table: which registry, as whom, with which audience, until when; then what each listed
 * repository was granted. No secrets.
 */
export async function writeSummary(view: SummaryView): Promise<void> {
  let text =
    summaryHeading('Azure Container Registry login', 3) +
    summaryTable(['Registry', 'Identity', 'Audience', 'Expires'], view.rows) +
    `Auth type: ${view.authType}. Clients: ${view.clients.join(', ')}.\n` +
    `${view.notes.map((note) => `\n${note}\n`).join('')}\n`;
  if (view.access.length > 0) {
    text += summaryHeading('Repository access', 4) + summaryTable(ACCESS_TABLE_HEADER, view.access);
  }
  appendSummary(text);
}
