// Renders the PNG icons in public/icons from the SVG mark, with the same headless Chromium the
// browser tests use. Run it after changing the logo: `node app/scripts/render-icons.mjs`
// (from web/; playwright-core comes from the e2e workspace). The PNGs are committed, so building
// the app never needs a browser.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const out = fileURLToPath(new URL("../public/icons/", import.meta.url));
mkdirSync(out, { recursive: true });

const bird = "M10 27c8-1 15 1 20 7 3-9 10-15 24-17-6 4-10 9-12 16 4-1 7-1 11 1-7 1-12 4-16 9-3 4-7 6-13 6 3-2 5-4 6-7-6-1-13-7-20-15z";
const gradient = '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3b7bea"/><stop offset="1" stop-color="#2456c2"/></linearGradient></defs>';
// "any": rounded square. "maskable": full bleed, the bird inside the 80% safe zone.
const rounded = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${gradient}<rect width="64" height="64" rx="14" fill="url(#g)"/><path fill="#fff" d="${bird}"/></svg>`;
const square = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${gradient}<rect width="64" height="64" fill="url(#g)"/><path fill="#fff" transform="translate(6.4 6.4) scale(0.8)" d="${bird}"/></svg>`;

const icons = [
  { file: "icon-192.png", size: 192, svg: rounded },
  { file: "icon-512.png", size: 512, svg: rounded },
  { file: "icon-maskable-512.png", size: 512, svg: square },
  { file: "apple-touch-icon.png", size: 180, svg: square },
];

// launch() gives the browser a fresh temporary profile of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  for (const icon of icons) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    const html = `<html><body style="margin:0;background:transparent">${icon.svg.replace("<svg ", `<svg width="${icon.size}" height="${icon.size}" `)}</body></html>`;
    await page.setContent(html);
    await page.screenshot({ path: join(out, icon.file), omitBackground: true });
    await page.close();
    console.log(`wrote ${icon.file}`);
  }
} finally {
  await browser.close();
}
