// Finishes dist/ after ncc, which writes each bundle unminified: its entry and the chunks it splits off for
// `import()`. Each file is changed where Node 20 starts the step slower than it must, then esbuild's
// transform minifies it (it only renames and drops whitespace within each file; licence comments move to
// its end):
// - webpack's module factories become `function` expressions instead of arrows. V8 compiles a parenthesised
//   `function` expression with its file, but V8 before 12 (Node 20) compiles an arrow only when it is first
//   called, parsing its source a second time; a step calls most factories of the files it loads. A factory
//   that uses `this` is a `function` already, so the change alters no behaviour.
// - The entry loads every built-in module through one `require` instead of a new one from `createRequire`
//   for each (about 0.15 ms a module on Node 20).
// ncc also copies the `open` package's xdg-open script next to any bundle that includes @azure/identity (for
// its interactive browser login, which no step runs): dropped, so dist/ and the .vsix hold only what runs.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

/** `/***\/ ((module, exports, require) => {`: how webpack opens an arrow factory, one per line. */
const ARROW_FACTORY = /^\/\*\*\*\/ \(\(([\w$]+(?:, [\w$]+)*)\) => \{$/gm;
/** Any other way a factory opens but as a function: webpack's output changed, and this step needs to learn it. */
const OTHER_FACTORY = /^\/\*\*\*\/ \((?!function\()/m;
const CREATE_REQUIRE = 'import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";\n';
const BUILTIN = '__WEBPACK_EXTERNAL_createRequire(import.meta.url)(';

/** The entry's built-in modules through one `require`. */
function oneRequire(source, file) {
  if (!source.startsWith(CREATE_REQUIRE) || !source.includes(BUILTIN)) {
    throw new Error(`${file}: ncc no longer loads built-in modules as this step expects`);
  }
  const shared = `${CREATE_REQUIRE}const __nccwpck_builtin = __WEBPACK_EXTERNAL_createRequire(import.meta.url);\n`;
  return shared + source.slice(CREATE_REQUIRE.length).replaceAll(BUILTIN, '__nccwpck_builtin(');
}

for (const folder of ['github', 'ado']) {
  const dir = new URL(`../dist/${folder}/`, import.meta.url);
  rmSync(new URL('xdg-open', dir), { force: true });
  for (const name of readdirSync(dir)) {
    if (!/^(\d+\.)?index\.js$/.test(name)) continue;
    const file = new URL(name, dir);
    const source = readFileSync(file, 'utf8');
    const converted = source.replace(ARROW_FACTORY, (_line, params) => `/***/ (function(${params}) {`);
    const other = OTHER_FACTORY.exec(converted);
    if (other !== null) {
      const line = converted.slice(other.index, converted.indexOf('\n', other.index));
      throw new Error(`dist/${folder}/${name}: a module factory not in webpack's usual form: ${line}`);
    }
    const finished = name === 'index.js' ? oneRequire(converted, `dist/${folder}/${name}`) : converted;
    const { code } = transformSync(finished, {
      format: 'esm',
      minify: true,
      target: 'node20',
      legalComments: 'eof',
      charset: 'utf8',
    });
    writeFileSync(file, code);
  }
}
