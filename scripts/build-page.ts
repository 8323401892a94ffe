/**
 * Builds the live page into dist/live-page, after `nest build` (which empties
 * dist/): the browser code bundled by esbuild with uPlot from node_modules,
 * beside the HTML and CSS. No CDN: the page works offline.
 *
 *   npm run build   (runs this after nest build)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'src', 'live-page');
const OUT = join(ROOT, 'dist', 'live-page');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [join(SOURCE, 'app', 'main.ts')],
    outfile: join(OUT, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['es2022'],
    tsconfig: join(SOURCE, 'tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(join(SOURCE, 'index.html'), join(OUT, 'index.html'));
  copyFileSync(join(SOURCE, 'styles.css'), join(OUT, 'styles.css'));
  copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), join(OUT, 'uPlot.min.css'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
