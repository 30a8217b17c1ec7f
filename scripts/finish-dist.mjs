// Finishes dist/ after ncc. ncc minifies a bundle's entry file but not the chunks it splits off for
// `import()`, and a step reads and compiles every chunk on its path: minify them too (esbuild's
// transform only renames and drops whitespace within each file; licence comments move to its end).
// ncc also copies the `open` package's xdg-open script next to any bundle that includes
// @azure/identity (for its interactive browser login, which no step runs): drop it, so dist/ and the
// .vsix hold only what runs.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

for (const folder of ['github', 'ado']) {
  const dir = new URL(`../dist/${folder}/`, import.meta.url);
  rmSync(new URL('xdg-open', dir), { force: true });
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.index\.js$/.test(name)) continue;
    const file = new URL(name, dir);
    const { code } = transformSync(readFileSync(file, 'utf8'), {
      format: 'esm',
      minify: true,
      target: 'node20',
      legalComments: 'eof',
      charset: 'utf8',
    });
    writeFileSync(file, code);
  }
}
