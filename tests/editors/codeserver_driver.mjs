// Drives a real VS Code (code-server, with the hpclsp .vsix installed) in Debian's headless
// chromium through Playwright: opens a racy C file, waits for the hpclsp warning, hovers it, asks
// for code actions on a loop and applies "Parallelize loop". Writes a JSON result and screenshots.
// Environment: HPCLSP_CS_URL, HPCLSP_CS_FOLDER, HPCLSP_CS_FILE (name inside the folder),
// HPCLSP_CS_LOOP_LINE (1-based line of a parallelizable loop), HPCLSP_CS_RESULT,
// HPCLSP_CS_ARTIFACTS (directory for screenshots), HPCLSP_VSCODE_DIR (for playwright-core),
// HPCLSP_CHROMIUM (default /usr/bin/chromium), HPCLSP_CS_SIG_FILE / _LINE / _COL (an MPI call for
// parameter hints, 1-based), HPCLSP_CS_F90_FILE (a Fortran file with an !$omp directive).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const env = process.env;
const require = createRequire(path.join(env.HPCLSP_VSCODE_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const result = { steps: {}, errors: [] };
const shots = env.HPCLSP_CS_ARTIFACTS;
const save = () => writeFileSync(env.HPCLSP_CS_RESULT, JSON.stringify(result, null, 2));

let failed = false;
async function step(name, fn) {
  const t0 = Date.now();
  if (failed) {
    // Every step needs the one before it; do not spend minutes timing out on the rest.
    result.steps[name] = { error: 'skipped: an earlier step failed', seconds: 0 };
    save();
    return;
  }
  try {
    result.steps[name] = { ...(await fn()), seconds: (Date.now() - t0) / 1000 };
  } catch (err) {
    result.steps[name] = { error: String(err && err.stack ? err.stack : err), seconds: (Date.now() - t0) / 1000 };
    result.errors.push(`${name}: ${err}`);
    failed = !['output_channel', 'inlay_hints', 'signature_help', 'outline', 'semantic_tokens'].includes(name);
  }
  save();
}

const ctx = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'hpclsp-chromium-')), {
  executablePath: env.HPCLSP_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
page.setDefaultTimeout(30000);
const mod = 'Control';

try {
  await step('workbench', async () => {
    await page.goto(`${env.HPCLSP_CS_URL}/?folder=${encodeURIComponent(env.HPCLSP_CS_FOLDER)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.statusbar', { timeout: 60000 });
    return { title: await page.title() };
  });

  await step('open_file', async () => {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
    await page.keyboard.press(`${mod}+P`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type(env.HPCLSP_CS_FILE, { delay: 20 });
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.editor-instance .view-lines', { timeout: 30000 });
    await page.waitForFunction(() => document.querySelector('.view-lines')?.textContent?.includes('total_weight'));
    return { tab: await page.locator('.tab.active').first().innerText() };
  });

  await step('warning', async () => {
    const squiggle = page.locator('.view-overlays .squiggly-warning, .squiggly-warning').first();
    await squiggle.waitFor({ state: 'attached', timeout: 90000 });
    const status = await page.locator('.statusbar-item').allInnerTexts();
    return { count: await page.locator('.squiggly-warning').count(), status: status.filter((t) => /hpclsp/i.test(t)) };
  });

  await step('hover', async () => {
    const box = await page.locator('.squiggly-warning').first().boundingBox();
    if (!box) throw new Error('the warning squiggle has no box');
    await page.mouse.move(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:not(.hidden)').first();
    await hover.waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForFunction(() => /reduction/.test(document.querySelector('.monaco-hover:not(.hidden)')?.textContent ?? ''), null, { timeout: 15000 });
    const text = await hover.innerText();
    await page.screenshot({ path: path.join(shots, 'vscode-hover.png') });
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    return { text };
  });

  await step('code_action', async () => {
    await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(`${mod}+G`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type(`${env.HPCLSP_CS_LOOP_LINE}:5`, { delay: 20 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    await page.keyboard.press(`${mod}+.`);
    const widget = page.locator('.action-widget').first();
    await widget.waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForFunction(() => /Parallelize loop/.test(document.querySelector('.action-widget')?.textContent ?? ''), null, { timeout: 15000 });
    const items = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
    await page.screenshot({ path: path.join(shots, 'vscode-code-action.png') });
    // Move the focus to "Parallelize loop" with the keyboard (the widget's pointer block eats clicks), then apply.
    for (let i = 0; i < items.length; i++) {
      const focused = await page.locator('.action-widget .monaco-list-row.focused').first().innerText().catch(() => '');
      if (/Parallelize loop/.test(focused)) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    // Monaco's line divs are not in document order after an edit: count the pragmas instead.
    await page.waitForFunction(
      () =>
        ((document.querySelector('.view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ').match(/#pragma omp parallel for/g) ?? [])
          .length === 2,
      null,
      { timeout: 15000 },
    );
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(shots, 'vscode-parallelized.png') });
    const lines = (await page.locator('.view-lines').first().textContent()).replace(/\u00a0/g, ' ');
    return { items, editor: lines, pragmas: (lines.match(/#pragma omp parallel for/g) ?? []).length };
  });

  await step('inlay_hints', async () => {
    // The data-sharing hints after each `#pragma omp parallel for` (the inserted one included).
    await page.keyboard.press('Escape');
    await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(`${mod}+Home`);
    const viewText = () => (document.querySelector('.view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ');
    await page.waitForFunction(
      () => (document.querySelector('.view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ').includes('private: i'),
      null,
      { timeout: 30000 },
    );
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(shots, 'vscode-inlay-hints.png') });
    const text = await page.evaluate(viewText);
    const hints = await page.evaluate(() =>
      [...document.querySelectorAll('.view-lines span')]
        .filter((e) => e.children.length === 0 && /^(shared|private|firstprivate|lastprivate|reduction)/.test(e.textContent.trim()))
        .map((e) => e.textContent.replace(/\u00a0/g, ' ').trim()),
    );
    return { text, hints };
  });

  await step('signature_help', async () => {
    // Parameter hints inside an MPI call of halo.c, from the built-in cards.
    await page.keyboard.press('Escape');
    await page.keyboard.press(`${mod}+P`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type(env.HPCLSP_CS_SIG_FILE, { delay: 20 });
    // Wait for the search to list the file first (recently opened files show before it).
    await page.waitForFunction(
      (name) => (document.querySelector('.quick-input-list .monaco-list-row')?.textContent ?? '').includes(name),
      env.HPCLSP_CS_SIG_FILE,
      { timeout: 20000 },
    );
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.editor-instance .view-lines')].some((v) => /MPI_Sendrecv/.test(v.textContent ?? '')),
      null,
      { timeout: 30000 },
    );
    await page.keyboard.press(`${mod}+G`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type(`${env.HPCLSP_CS_SIG_LINE}:${env.HPCLSP_CS_SIG_COL}`, { delay: 20 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    const widget = page.locator('.parameter-hints-widget').first();
    await page.keyboard.press(`${mod}+Shift+Space`);
    if (!(await widget.isVisible().catch(() => false))) {
      await widget.waitFor({ state: 'visible', timeout: 5000 }).catch(async () => {
        await page.keyboard.press(`${mod}+Shift+P`);
        await page.waitForSelector('.quick-input-box input', { state: 'visible' });
        await page.keyboard.type('Trigger Parameter Hints', { delay: 20 });
        await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10000 });
        await page.keyboard.press('Enter');
      });
    }
    await widget.waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForFunction(() => /MPI_Sendrecv/.test(document.querySelector('.parameter-hints-widget')?.textContent ?? ''), null, { timeout: 15000 });
    const text = (await widget.innerText()).replace(/\u00a0/g, ' ');
    const active = await page.locator('.parameter-hints-widget .parameter.active').first().innerText().catch(() => '');
    await page.screenshot({ path: path.join(shots, 'vscode-signature-help.png') });
    await page.keyboard.press('Escape');
    return { text, active };
  });

  await step('outline', async () => {
    // Go to Symbol in Editor (quick open with '@'): functions and the OpenMP region.
    await page.keyboard.press(`${mod}+P`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type('@', { delay: 20 });
    await page.waitForFunction(() => /omp parallel for/.test(document.querySelector('.quick-input-list')?.textContent ?? ''), null, { timeout: 20000 });
    const items = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    await page.screenshot({ path: path.join(shots, 'vscode-outline.png') });
    await page.keyboard.press('Escape');
    return { items: items.map((t) => t.replace(/\u00a0/g, ' ')) };
  });

  await step('semantic_tokens', async () => {
    // A Fortran file: without a Fortran grammar every character has one colour, so colours on the
    // !$omp line can only come from the server's semantic tokens.
    await page.keyboard.press('Escape');
    await page.keyboard.press(`${mod}+P`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type(env.HPCLSP_CS_F90_FILE, { delay: 20 });
    await page.waitForFunction(
      (name) => (document.querySelector('.quick-input-list .monaco-list-row')?.textContent ?? '').includes(name),
      env.HPCLSP_CS_F90_FILE,
      { timeout: 20000 },
    );
    await page.keyboard.press('Enter');
    const spansOf = (needle) => {
      for (const line of document.querySelectorAll('.editor-instance .view-line')) {
        const text = (line.textContent ?? '').replace(/\u00a0/g, ' ');
        if (text.trim().startsWith(needle)) {
          return [...line.querySelectorAll('span > span')].map((e) => [e.textContent.replace(/\u00a0/g, ' '), e.className]);
        }
      }
      return null;
    };
    await page.waitForFunction(
      (src) => {
        const spans = eval(src)('!$omp parallel do');
        return spans && new Set(spans.map((s) => s[1])).size > 1;
      },
      `(${spansOf.toString()})`,
      { timeout: 30000 },
    );
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shots, 'vscode-semantic-tokens.png') });
    const sentinel = await page.evaluate((src) => eval(src)('!$omp parallel do'), `(${spansOf.toString()})`);
    const plain = await page.evaluate((src) => eval(src)('do i = 2, n - 1'), `(${spansOf.toString()})`);
    return { sentinel, plain };
  });

  await step('output_channel', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press(`${mod}+Shift+P`);
    await page.waitForSelector('.quick-input-box input', { state: 'visible' });
    await page.keyboard.type('hpclsp: Show Log', { delay: 20 });
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10000 });
    await page.keyboard.press('Enter');
    const panel = page.locator('.output-view, .panel .monaco-editor').first();
    await panel.waitFor({ state: 'visible', timeout: 15000 });
    // The output view follows the end of the log and renders only the visible lines: once the
    // server has logged a screenful (index progress, model loading), the first line is no longer in
    // the DOM. The view's filter box keeps only the matching lines, so the first one shows whatever
    // came after it.
    const filter = page.locator('.panel input[placeholder^="Filter"]').first();
    await filter.waitFor({ state: 'visible', timeout: 10000 });
    await filter.fill('starting the server');
    await page.waitForFunction(() => /starting the server/.test(document.body.textContent.replace(/\u00a0/g, ' ')), null, { timeout: 15000 });
    await page.screenshot({ path: path.join(shots, 'vscode-output.png') });
    const all = await page.evaluate(() => document.body.textContent.replace(/\u00a0/g, ' '));
    const at = all.indexOf('starting the server');
    return { text: all.slice(Math.max(0, at - 200), at + 2000) };
  });
} finally {
  await page.screenshot({ path: path.join(shots, 'vscode-final.png') }).catch(() => {});
  save();
  await ctx.close();
}
