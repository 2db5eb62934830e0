// End-to-end: a stage of an API with a couple of hundred methods. The matrix draws only the rows near
// its view (the keystroke stays fast at 1,000 overrides, see tests/bench/web.mjs), yet every row is
// reached as before: by scrolling, by the keyboard (arrows, PageDown, Ctrl+End / Ctrl+Home) and from the
// problem list; screen readers are told the full row count.
//
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EditorPage, addMethods, axe, revealRow, setup, shot } from './harness.mjs';

const TTL = 'cacheTtlInSeconds';
const FAR = '~1bulk059/PUT';

describe('a matrix of two hundred methods', () => {
  let env;
  let ed;

  before(async () => {
    env = await setup({ viewport: { width: 1400, height: 900 } });
    ed = new EditorPage(env.page, env.base, env.apiId, 'prod');
    addMethods(env.boto, env.apiId, { prefix: 'bulk', count: 60, digits: 3, verbs: ['GET', 'POST', 'PUT'] });
    env.boto(`c.update_stage(restApiId=${JSON.stringify(env.apiId)}, stageName='prod', patchOperations=[
    {'op': 'replace', 'path': '/~1bulk059/PUT/caching/ttlInSeconds', 'value': '42'},
])`);
  });

  after(async () => {
    await env?.stop();
  });

  const rows = () => env.page.evaluate(() => ({
    drawn: document.querySelectorAll('[role=grid] .mbody [role=row]').length,
    count: Number(document.querySelector('[role=grid]').getAttribute('aria-rowcount')),
  }));
  const focused = () => env.page.evaluate(() => {
    const el = document.activeElement;
    return { row: Number(el?.parentElement?.dataset.row), key: el?.parentElement?.dataset.key, col: el?.dataset.col, testid: el?.dataset.testid };
  });

  test('only the rows near the view are drawn; the grid tells its full row count', async () => {
    await ed.open();
    const { drawn, count } = await rows();
    assert.ok(count > 180 + 2, `aria-rowcount ${count}`);
    assert.ok(drawn < 60, `${drawn} rows drawn of ${count - 2}`);
    // The stored override far down is drawn once scrolled to, with its value.
    await revealRow(env.page, FAR);
    assert.equal((await ed.cell(FAR, TTL).locator('.value').textContent()).trim(), '42');
    assert.ok((await rows()).drawn < 60);
    const index = await env.page.getByTestId(`row-${FAR}`).getAttribute('aria-rowindex');
    assert.ok(Number(index) > 150, `aria-rowindex ${index}`);
    await shot(env.page, 'large-scrolled');
  });

  test('the keyboard reaches the last row and back; PageDown moves ten rows', async () => {
    const { page } = env;
    await ed.open();
    await ed.cell('*/*', TTL).focus();
    // Counts every change to the grid's rows after which the focus is outside the grid.
    await page.evaluate(() => {
      window.focusLost = 0;
      new MutationObserver(() => {
        if (!document.activeElement?.closest('.matrix-wrap')) window.focusLost += 1;
      }).observe(document.querySelector('.matrix-wrap'), { childList: true, subtree: true });
    });
    await page.keyboard.press('Control+End');
    // A jump further than the window waits on the grid's scrolling box until the row is drawn.
    await page.waitForFunction(() => document.activeElement?.dataset.col !== undefined && document.activeElement.parentElement.dataset.row !== '0');
    const { count } = await rows();
    const last = await focused();
    assert.equal(last.row, count - 3, JSON.stringify(last));
    await page.keyboard.press('ArrowUp');
    assert.equal((await focused()).row, count - 4);
    await page.keyboard.press('Control+Home');
    await page.waitForFunction(() => document.activeElement?.parentElement?.dataset.row === '0');
    const first = await page.evaluate(() => document.querySelector('[data-row="0"] [data-col]').dataset.col);
    assert.equal((await focused()).col, first);
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.activeElement?.parentElement?.dataset.row === '50');
    // Enter edits the focused far cell, Escape gives the focus back to it.
    await page.keyboard.press('Enter');
    await page.getByTestId('cell-input').waitFor();
    await page.keyboard.press('Escape');
    assert.equal((await focused()).row, 50);
    assert.equal((await page.getByTestId('dirty-count').textContent()).trim(), 'No unsaved changes', 'Esc left no change behind');
    assert.ok((await rows()).drawn < 60);
    assert.equal(await page.evaluate(() => window.focusLost), 0, 'the focus left the grid while it redrew');
  });

  test('a problem far down the matrix jumps to its cell', async () => {
    const { page } = env;
    await ed.open();
    await revealRow(page, FAR);
    await ed.editCell(FAR, TTL, '4000');
    await page.keyboard.press('Enter');
    await page.locator('.matrix-wrap').evaluate((el) => { el.scrollTop = 0; });
    await page.waitForFunction((key) => !document.querySelector(`[data-testid="row-${key}"]`), FAR);
    await page.getByTestId('problem-link').filter({ hasText: 'TTL' }).click();
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, `cell-${FAR}-${TTL}`);
    await shot(page, 'large-jump');
    await page.getByTestId('discard').click();
  });

  test('axe-core finds no violation in the long matrix, scrolled', async () => {
    await ed.open();
    await revealRow(env.page, FAR);
    assert.deepEqual(await axe(env.page), []);
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(env.consoleErrors.filter((e) => !/status of 4\d\d/.test(e)), []);
  });
});
