// End-to-end: finding one's way in the matrix (issue 13, "readable"): each problem jumps to its field,
// the focused cell is scrolled into view clear of the sticky header and Method column, the frozen
// Method column stays aligned, the common columns fit 1400 px, the stage list fits a phone, the
// invoke URL is shown and copyable, and inherited values are the ones AWS applies.
//
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EditorPage, addMethods, setup, shot } from './harness.mjs';

const PETS = '~1pets/GET';
const TTL = 'cacheTtlInSeconds';

describe('finding one\'s way in the editor', () => {
  let env;
  let ed;

  before(async () => {
    env = await setup({ viewport: { width: 1400, height: 900 } });
    ed = new EditorPage(env.page, env.base, env.apiId, 'prod');
    // Enough methods for the matrix to scroll: 30 more resources with a GET each.
    addMethods(env.boto, env.apiId, { prefix: 'extra', count: 30 });
  });

  after(async () => {
    await env?.stop();
  });

  const active = () => env.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

  /** Whether the focused cell is fully visible in the matrix, below its header and right of the Method column. */
  const focusedCellVisible = async () => {
    // The focus never leaves the grid (the focused row stays drawn while the window moves).
    assert.ok(await env.page.evaluate(() => document.activeElement?.closest('.matrix-wrap')), 'the focus is in the grid');
    // A key that moves to a row not drawn yet parks the focus on the grid's scrolling box until the row
    // is drawn (a frame or two later); then it is on the cell.
    await env.page.waitForFunction(() => document.activeElement?.matches('.matrix-wrap [data-col]'));
    return env.page.evaluate(() => {
      const cell = document.activeElement;
      const wrap = cell.closest('.matrix-wrap');
      const head = wrap.querySelector('.mhead').getBoundingClientRect();
      const side = cell.parentElement.querySelector('.row-head').getBoundingClientRect();
      const c = cell.getBoundingClientRect();
      const w = wrap.getBoundingClientRect();
      const bottom = w.top + wrap.clientTop + wrap.clientHeight;
      const right = w.left + wrap.clientLeft + wrap.clientWidth;
      const ok = c.top >= head.bottom - 1 && c.bottom <= bottom + 1 && c.left >= side.right - 1 && c.right <= right + 1;
      return ok || `${cell.dataset.testid}: cell ${JSON.stringify([c.top, c.bottom, c.left, c.right])}, header bottom ${head.bottom}, Method right ${side.right}, wrap ${JSON.stringify([w.top, bottom, w.left, right])}`;
    });
  };

  test('each problem in the list jumps to its field, on any tab, past a filter', async () => {
    const { page } = env;
    await ed.open();
    await ed.editCell(PETS, TTL, '4000');
    await page.keyboard.press('Enter');
    await page.getByTestId('matrix-filter').fill('orders');
    assert.equal(await ed.cell(PETS, TTL).count(), 0, 'the filter hides the row');
    await page.getByTestId('problem-link').filter({ hasText: 'TTL' }).click();
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, `cell-${PETS}-${TTL}`);
    assert.equal(await page.getByTestId('matrix-filter').inputValue(), '', 'the filter was cleared');
    assert.equal(await focusedCellVisible(), true);

    // A stage-level problem takes the user to the Stage settings tab and its input.
    await page.getByTestId('tab-settings').click();
    await page.getByTestId('add-variable').click();
    await page.getByTestId('variable-name').last().fill('bad name!');
    await page.getByTestId('tab-methods').click();
    await page.getByTestId('matrix').waitFor();
    await page.getByTestId('problem-link').filter({ hasText: /variable/i }).first().click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'variable-name');
    assert.match(new URL(page.url()).pathname, /\/settings$/);
    assert.equal(await page.evaluate(() => document.activeElement.value), 'bad name!');
    await shot(page, 'problem-jump');
    await page.getByTestId('discard').click();
  });

  test('the focused cell is scrolled into view, clear of the sticky header and Method column', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 1400, height: 640 });
    await ed.open();
    await page.getByTestId('all-columns').click();
    await ed.cell('*/*', 'metricsEnabled').focus();
    // Counts every moment, after any change to the grid's rows, at which the focus is outside the grid.
    await page.evaluate(() => {
      window.focusLost = 0;
      const wrap = document.querySelector('.matrix-wrap');
      new MutationObserver(() => {
        if (!document.activeElement?.closest('.matrix-wrap')) window.focusLost += 1;
      }).observe(wrap, { childList: true, subtree: true });
    });
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('ArrowDown');
      assert.equal(await focusedCellVisible(), true, `after ${i + 1} × ↓`);
    }
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('ArrowUp');
      assert.equal(await focusedCellVisible(), true, `after ${i + 1} × ↑`);
    }
    for (const key of ['PageDown', 'PageDown', 'PageUp', 'Control+End', 'Control+Home', 'PageDown']) {
      await page.keyboard.press(key);
      assert.equal(await focusedCellVisible(), true, `after ${key}`);
    }
    await page.keyboard.press('End');
    assert.equal(await focusedCellVisible(), true, 'after End');
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('ArrowLeft');
      assert.equal(await focusedCellVisible(), true, `after ${i + 1} × ←`);
    }
    assert.equal(await page.evaluate(() => window.focusLost), 0, 'the focus left the grid while it redrew');
    await shot(page, 'focus-scrolled');
    await page.getByTestId('all-columns').click();
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('the frozen Method column stays aligned with its header when the matrix scrolls sideways', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 900, height: 800 });
    await ed.open();
    await page.getByTestId('all-columns').click();
    const wrap = page.locator('.matrix-wrap');
    assert.ok(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth + 100), 'all ten columns scroll at 900 px');
    await wrap.evaluate((el) => { el.scrollLeft = 250; el.scrollTop = 60; });
    const edges = () => {
      const r = (el) => { const b = el.getBoundingClientRect(); return [Math.round(b.left), Math.round(b.width)]; };
      return [r(document.querySelector('.mhead .cols .row-head-col')), r(document.querySelector('.mbody .mrow:nth-child(3) .row-head'))];
    };
    // Scroll events are delivered with the next frame: give it a few.
    await page.waitForFunction(`(${edges})()[0][0] === (${edges})()[1][0]`, null, { timeout: 2000 }).catch(() => {});
    const [head, body] = await page.evaluate(edges);
    assert.deepEqual(body, head, 'Method header and Method cells share left edge and width');
    await shot(page, 'frozen-method-column');
    await page.getByTestId('all-columns').click();
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('the common columns fit 1400 px without scrolling sideways; the others are one click away', async () => {
    const { page } = env;
    for (const width of [1400, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      await ed.open();
      const wrap = page.locator('.matrix-wrap');
      const scroll = await wrap.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(scroll <= 0, `the matrix scrolls sideways by ${scroll} px at ${width}`);
      // The strategy reads whole (no ellipsis).
      await ed.reveal(PETS);
      const clipped = await ed.cell(PETS, 'unauthorizedCacheControlHeaderStrategy').locator('.value').evaluate((el) => el.scrollWidth > el.clientWidth);
      assert.equal(clipped, false, `the strategy is cut at ${width}`);
      await shot(page, `matrix-${width}`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    await ed.open();
    const heads = () => page.locator('.mhead .cols .col-head').count();
    assert.equal(await heads(), 7);
    await page.getByTestId('all-columns').click();
    assert.equal(await heads(), 10);
    assert.equal(await page.getByTestId('all-columns').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('all-columns').click();
  });

  test('the stage list fits a 390 px phone', async () => {
    const { page, base, apiId } = env;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/apis/${apiId}`);
    await page.getByTestId('stage-list').waitFor();
    const [page_, list] = await page.evaluate(() => [
      document.documentElement.scrollWidth - document.documentElement.clientWidth,
      (() => { const l = document.querySelector('[data-testid=stage-list]'); return l.scrollWidth - l.parentElement.clientWidth; })(),
    ]);
    assert.ok(page_ <= 0, `the page scrolls sideways by ${page_} px`);
    assert.ok(list <= 0, `the stage list is ${list} px wider than the screen`);
    await shot(page, 'stage-list-390');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('at 390 px the three editor tabs fit the screen, none cut off', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 390, height: 844 });
    await ed.open();
    const [strip, tabs] = await page.evaluate(() => {
      const ul = document.querySelector('ul.tabs');
      return [ul.scrollWidth - ul.clientWidth, [...ul.querySelectorAll('.tab-inner')].map((t) => {
        const r = t.getBoundingClientRect();
        return { name: t.textContent.trim(), left: r.left, right: r.right, clipped: t.scrollWidth > t.clientWidth };
      })];
    });
    assert.ok(strip <= 0, `the tab strip scrolls sideways by ${strip} px`);
    assert.equal(tabs.length, 3);
    for (const t of tabs) {
      assert.ok(t.left >= 0 && t.right <= 390 && !t.clipped, `tab "${t.name}" is cut off: ${JSON.stringify(t)}`);
    }
    await shot(page, 'tabs-390');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('the stage list and the Create stage form are apart', async () => {
    const { page, base, apiId } = env;
    for (const width of [390, 1400]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}/apis/${apiId}`);
      await page.getByTestId('stage-list').waitFor();
      const gap = await page.evaluate(() =>
        document.querySelector('[data-testid=create-stage]').getBoundingClientRect().top -
        document.querySelector('[data-testid=stage-list]').getBoundingClientRect().bottom);
      assert.ok(gap >= 12, `${gap} px between the stage list and Create stage at ${width} px`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('at 390 px the editor header shows one invoke URL; the other form is behind a disclosure', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 390, height: 844 });
    await ed.open();
    const urls = page.getByTestId('invoke-urls');
    const height = await urls.evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(height <= 56, `the invoke URLs take ${height} px`);
    assert.equal(await page.getByTestId('invoke-url').isVisible(), true);
    assert.equal(await page.getByTestId('invoke-url-host').isVisible(), false);
    const line = await page.getByTestId('invoke-url').evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(line < 24, `the invoke URL wraps onto ${line} px`);
    await shot(page, 'invoke-390');
    await page.getByTestId('invoke-more').locator('summary').click();
    assert.equal(await page.getByTestId('invoke-url-host').isVisible(), true);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('the invoke URL is shown and copyable, and answers on the emulator', async () => {
    const { page, context, base, apiId, emulator } = env;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await ed.open();
    const url = (await page.getByTestId('invoke-url').textContent()).trim();
    assert.equal(url, `${emulator.replace(/\/$/, '')}/restapis/${apiId}/prod/_user_request_/`);
    const port = new URL(emulator).port;
    assert.equal((await page.getByTestId('invoke-url-host').textContent()).trim(), `http://${apiId}.execute-api.localhost:${port}/prod/`);
    const res = await fetch(`${url}pets`);
    assert.equal(res.status, 200, await res.text());
    await page.getByTestId('copy-invoke-url').click();
    await ed.toast('success');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  });

  test('inherited values are the ones AWS applies: stage-wide caching covers GET only', async () => {
    const { page } = env;
    await ed.open();
    await ed.cell('*/*', 'cachingEnabled').click();
    await ed.cell('*/*', 'cachingEnabled').getByTestId('cell-input').selectOption('true');
    await page.keyboard.press('Enter');
    const value = async (key) => {
      await ed.reveal(key);
      return (await ed.cell(key, 'cachingEnabled').locator('.value').textContent()).trim();
    };
    assert.equal(await value('~1orders/GET'), 'On');
    assert.equal(await value('~1pets~1{petId}/DELETE'), 'Off');
    assert.match(await ed.cell('~1pets~1{petId}/DELETE', 'cachingEnabled').getAttribute('aria-label'), /AWS default/);
    await page.getByTestId('discard').click();
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(env.consoleErrors.filter((e) => !/status of 4\d\d/.test(e)), []);
  });
});
