// Builds the web UI into one folder the collector serves (http.web_root, or "web" beside the
// slamon-collector binary): index.html, the bundle with a content hash in its name, its CSS, and a
// gzip twin of each. Prints the sizes; fails when the first page's JavaScript passes 100 kB gzipped.
//   node build.mjs --out DIR
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outFlag = process.argv.indexOf('--out');
if (outFlag < 0 || !process.argv[outFlag + 1]) {
  console.error('build.mjs: --out DIR is required');
  process.exit(2);
}
const out = process.argv[outFlag + 1];
const budget = 100 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,  // uPlot in a chunk of its own, loaded by the CI page
  target: ['es2020'],
  entryNames: 'app-[hash]',
  chunkNames: 'chunk-[hash]',
  outdir: out,
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').pop());
const entryPath = Object.keys(result.metafile.outputs).find((p) => result.metafile.outputs[p].entryPoint);
const js = entryPath.split('/').pop();
const css = outputs.find((f) => f.endsWith('.css'));
// The first page's JavaScript: the entry and what it imports statically (not the lazy chunks).
const firstPage = new Set();
const visit = (p) => {
  if (firstPage.has(p)) return;
  firstPage.add(p);
  for (const i of result.metafile.outputs[p].imports) if (i.kind === 'import-statement') visit(i.path);
};
visit(entryPath);
const firstPageNames = new Set([...firstPage].map((p) => p.split('/').pop()));
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('%APP_JS%', js)
  .replace('%APP_CSS%', css ?? '');
writeFileSync(join(out, 'index.html'), html);

let jsGzip = 0;
for (const name of readdirSync(out)) {
  const bytes = readFileSync(join(out, name));
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(join(out, name + '.gz'), gz);
  if (firstPageNames.has(name)) jsGzip += gz.length;
  console.log(`web: ${name} ${bytes.length} bytes, ${gz.length} gzipped`);
}
console.log(`web: first page JavaScript ${(jsGzip / 1024).toFixed(1)} kB gzipped (budget ${budget / 1024} kB) -> ${out}`);
if (jsGzip > budget) {
  console.error('web: the first page JavaScript is over its budget');
  process.exit(1);
}
