// Accessibility and layout: axe-core (WCAG 2.2 AA rules) on every page and tab, failing on any violation,
// keyboard checks, and screenshots of every page at 390, 1400 and 1920 px under target/e2e/ for review.
//
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EditorPage, axe, setup, shot } from './harness.mjs';

const WIDTHS = [390, 1400, 1920];
const PETS = '~1pets/GET';

describe('accessibility and layout', () => {
  let env;
  let ed;

  before(async () => {
    env = await setup({ viewport: { width: 1400, height: 900 } });
    ed = new EditorPage(env.page, env.base, env.apiId, 'prod');
  });

  after(async () => {
    await env?.stop();
  });

  // Every page and tab, as a user reaches it; `ready` waits for its content.
  const pages = () => [
    { name: 'home', url: `${env.base}/`, ready: 'api-list' },
    { name: 'api', url: `${env.base}/apis/${env.apiId}`, ready: 'stage-list' },
    { name: 'methods', url: ed.url(), ready: 'matrix' },
    { name: 'settings', url: ed.url('settings'), ready: 'stage-settings' },
    { name: 'authorizers', url: ed.url('authorizers'), ready: 'authorizer-list' },
    { name: 'not-found', url: `${env.base}/nowhere`, ready: 'not-found' },
  ];

  test('axe-core finds no violation on any page or tab, nor with an edit, an error and a dialog open', async () => {
    const { page } = env;
    const found = [];
    const counts = {};
    const check = async (name) => {
      const v = await axe(page);
      counts[name] = v.length;
      found.push(...v.map((line) => `${name}: ${line}`));
    };
    for (const p of pages()) {
      await page.goto(p.url);
      await page.getByTestId(p.ready).waitFor();
      await check(p.name);
    }
    // The states a user meets while editing: an invalid value with its message, the preview, a dialog.
    await ed.open();
    await ed.editCell(PETS, 'cacheTtlInSeconds', '4000');
    await check('invalid edit');
    await page.keyboard.press('Escape');
    await ed.editCell(PETS, 'cacheTtlInSeconds', '120');
    await page.keyboard.press('Enter');
    await check('edit');
    await page.locator('header.topbar a.brand').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await check('dialog');
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('discard').click();
    console.log(`axe violations (rules) per page: ${JSON.stringify(counts)}`);
    assert.deepEqual(found, []);
  });

  test('keyboard: the grid is reached in few Tab stops, and focus comes back after a dialog', async () => {
    const { page } = env;
    await ed.open();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    let stops = 0;
    for (; stops < 40; stops++) {
      await page.keyboard.press('Tab');
      const inGrid = await page.evaluate(() => !!document.activeElement?.closest('[role=grid] .mbody'));
      if (inGrid) break;
    }
    assert.ok(stops < 15, `${stops} Tab stops before the grid`);
    // A dialog returns the focus to what opened it.
    await ed.editCell(PETS, 'cacheTtlInSeconds', '120');
    await page.keyboard.press('Enter');
    const brand = page.locator('header.topbar a.brand');
    await brand.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('brand')), true);
    await page.getByTestId('discard').click();
  });

  test('layout: screenshots at 390, 1400 and 1920 px; the stage list fits a phone; the matrix fits 1400 px', async () => {
    const { page } = env;
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 1000 });
      for (const p of pages()) {
        await page.goto(p.url);
        await page.getByTestId(p.ready).waitFor();
        await shot(page, `w${width}-${p.name}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (p.name !== 'methods') assert.ok(overflow <= 0, `${p.name} at ${width} px scrolls sideways by ${overflow} px`);
      }
    }
    // The matrix at 1400 px: no horizontal scrolling inside it.
    await page.setViewportSize({ width: 1400, height: 1000 });
    await ed.open();
    const scroll = await page.locator('.matrix-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(scroll <= 0, `the matrix scrolls sideways by ${scroll} px at 1400`);
  });
});
