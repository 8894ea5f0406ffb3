// What the browser tests share (tree_page.mjs, service_pages.mjs): the source folder, headless
// Chromium (Debian's /usr/bin/chromium or $CHROMIUM, driven by collector/web/'s pinned
// playwright-core), a page that collects its errors, and check().
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(join(src, 'collector', 'web', 'package.json'))('playwright-core');

export function check(ok, what) {
  if (!ok) throw new Error(`FAIL: ${what}`);
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
}

// A page (light scheme unless `options` say otherwise, 10 s per step) whose uncaught errors and
// console errors go to `errors`.
export async function newPage(browser, errors, options = { colorScheme: 'light' }) {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return page;
}
