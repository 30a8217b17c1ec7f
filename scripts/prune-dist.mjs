// ncc copies the `open` package's xdg-open script next to any bundle that includes @azure/identity
// (for its interactive browser login, which no step runs). Nothing a step runs needs it: drop it, so
// dist/ and the .vsix hold only what runs.
import { rmSync } from 'node:fs';

for (const folder of ['github', 'ado']) {
  rmSync(new URL(`../dist/${folder}/xdg-open`, import.meta.url), { force: true });
}
