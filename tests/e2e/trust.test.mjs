// End-to-end: the editor never misleads and never loses an edit (drafts, stored copies of */*, readable
// strategies, test-invoke outcomes, */* changes that do not reach overrides, caches without a cluster,
// one-line summaries). Each test starts from a fresh page of its own stage state; boto3 checks AWS's side.
//
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EditorPage, getStage, setup, shot } from './harness.mjs';

const PETS = '~1pets/GET';
const ORDERS_GET = '~1orders/GET';
const TTL = 'cacheTtlInSeconds';
const STRATEGY = 'unauthorizedCacheControlHeaderStrategy';

describe('an editor a platform team can trust', () => {
  let env;
  let ed;

  before(async () => {
    env = await setup({ viewport: { width: 1400, height: 900 } });
    ed = new EditorPage(env.page, env.base, env.apiId, 'prod');
  });

  after(async () => {
    await env?.stop();
  });

  const text = async (testid) => (await env.page.getByTestId(testid).textContent()).trim();
  const value = async (key, field) => (await ed.cell(key, field).locator('.value').textContent()).trim();

  test('an unsaved edit is guarded on in-app links and Back, kept over a reload, and can be discarded', async () => {
    const { page, base, apiId } = env;
    await page.goto(`${base}/apis/${apiId}`);
    await page.getByTestId('stage-row-prod').getByRole('link', { name: 'prod' }).click();
    await page.getByTestId('matrix').waitFor();
    await ed.editCell(PETS, TTL, '120');
    await page.keyboard.press('Enter');

    // The tab keeps the stage once and, per edit, only the edits: the one changed entry, not the stage.
    const kept = () => page.evaluate(() => Object.fromEntries(
      Object.keys(sessionStorage).filter((k) => k.startsWith('stagecraft.draft')).map((k) => [k.split(' ')[0], sessionStorage.getItem(k)])));
    await page.waitForFunction(() => Object.keys(sessionStorage).some((k) => k.startsWith('stagecraft.draft.edits')));
    const stored = await kept();
    assert.deepEqual(Object.keys(stored).sort(), ['stagecraft.draft.base', 'stagecraft.draft.edits']);
    const edits = JSON.parse(stored['stagecraft.draft.edits']);
    assert.deepEqual(Object.keys(edits.settings), [PETS]);
    assert.equal(edits.settings[PETS][TTL], 120);
    assert.equal(JSON.parse(stored['stagecraft.draft.base']).methodSettings[PETS][TTL], 60);

    // An in-app link asks first; Cancel stays with the edit.
    await page.locator('header.topbar a.brand').click();
    await page.getByTestId('confirm-dialog').waitFor();
    assert.match(await text('confirm-dialog'), /1 unsaved change/);
    await shot(page, 'guard-link');
    await page.getByTestId('confirm-cancel').click();
    assert.equal(new URL(page.url()).pathname, `/apis/${apiId}/stages/prod`);
    assert.equal(await value(PETS, TTL), '120');

    // Back asks too, and the address stays on the stage until the user decides.
    await page.goBack();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-cancel').click();
    assert.equal(new URL(page.url()).pathname, `/apis/${apiId}/stages/prod`);
    assert.equal(await value(PETS, TTL), '120');

    // A reload asks (beforeunload), then restores the draft from session storage.
    const asked = env.dialogs.length;
    await page.reload();
    await page.getByTestId('matrix').waitFor();
    assert.ok(env.dialogs.slice(asked).includes('beforeunload'), `dialogs: ${env.dialogs}`);
    await page.getByTestId('draft-banner').waitFor();
    assert.equal(await value(PETS, TTL), '120');
    assert.deepEqual(JSON.parse(await ed.patchJson().textContent()), [
      { op: 'replace', path: '/~1pets/GET/caching/ttlInSeconds', value: '120' },
    ]);
    await shot(page, 'draft-restored');

    // "Discard draft" drops it for good.
    await page.getByTestId('discard-draft').click();
    assert.equal(await value(PETS, TTL), '60');
    await page.reload();
    await page.getByTestId('matrix').waitFor();
    assert.equal(await page.getByTestId('draft-banner').count(), 0);
    assert.equal(await value(PETS, TTL), '60');
    assert.equal(getStage(env.boto, env.apiId, 'prod').methodSettings[PETS].cacheTtlInSeconds, 60);
  });

  test('Delete on an override field says it stores a copy of */*, and offers to remove the override', async () => {
    const { page } = env;
    await ed.open();
    await ed.cell(PETS, TTL).focus();
    await page.keyboard.press('Delete');
    assert.match(await text('changes'), /GET \/pets · Cache TTL \(s\)\s*60\s*→\s*300 \(stored copy of \*\/\*, will not follow it\)/);
    assert.match(await ed.cell(PETS, TTL).getAttribute('aria-label'), /copy of \*\/\*/);
    assert.match(await text('reset-note'), /will not follow later \*\/\* changes/);
    await shot(page, 'reset-stored-copy');
    await page.getByTestId('reset-note-remove').click();
    assert.deepEqual(JSON.parse(await ed.patchJson().textContent()), [{ op: 'remove', path: `/${PETS}` }]);
    await page.getByTestId('discard').click();

    // What AWS stores: reset, save, then change */*: the method keeps the copy, and says so.
    await ed.cell(PETS, TTL).focus();
    await page.keyboard.press('Delete');
    await ed.save().click();
    await ed.toast('success');
    assert.equal(getStage(env.boto, env.apiId, 'prod').methodSettings[PETS].cacheTtlInSeconds, 300);
    await ed.editCell('*/*', TTL, '500');
    await page.keyboard.press('Enter');
    await ed.save().click();
    await ed.toast('success');
    await page.reload();
    await page.getByTestId('matrix').waitFor();
    assert.equal(await value(PETS, TTL), '300');
    assert.match(await ed.cell(PETS, TTL).getAttribute('class'), /src-override/);
    assert.match(await ed.cell(PETS, TTL).getAttribute('aria-label'), /own value/);
    assert.equal(await value(ORDERS_GET, TTL), '500');
    assert.match(await ed.cell(ORDERS_GET, TTL).getAttribute('aria-label'), /inherited/);
    assert.equal(getStage(env.boto, env.apiId, 'prod').methodSettings[PETS].cacheTtlInSeconds, 300);
  });

  test('a */* change names the methods it does not reach, and can apply to them too', async () => {
    const { page } = env;
    await ed.open();
    await ed.editCell('*/*', TTL, '900');
    await page.keyboard.press('Enter');
    const note = page.getByTestId(`star-note-${TTL}`);
    await note.waitFor();
    assert.match(await note.textContent(), /\d+ methods? keeps? their own value/);
    await note.locator('summary').click();
    await note.getByTestId('star-note-keys').locator('li').first().waitFor();
    const keys = await note.getByTestId('star-note-keys').locator('li').allTextContents();
    assert.ok(keys.includes('GET /pets'), keys.join(', '));
    await shot(page, 'star-note');
    await page.getByTestId(`apply-star-${TTL}`).click();
    assert.equal(await value(PETS, TTL), '900');
    const ops = JSON.parse(await ed.patchJson().textContent());
    assert.ok(ops.some((o) => o.path === '/~1pets/GET/caching/ttlInSeconds' && o.value === '900'), JSON.stringify(ops));
    assert.equal(await page.getByTestId(`star-note-${TTL}`).count(), 0);
    await page.getByTestId('discard').click();
  });

  test('the */* note is announced once per change of the methods it leaves out, not per keystroke', async () => {
    const { page } = env;
    await ed.open();
    const live = page.getByTestId('star-announce');
    assert.equal(await live.getAttribute('role'), 'status');
    await page.evaluate(() => {
      window.__announced = [];
      const el = document.querySelector('[data-testid=star-announce]');
      new MutationObserver(() => window.__announced.push(el.textContent)).observe(el, { childList: true, subtree: true, characterData: true });
    });
    await ed.cell('*/*', TTL).click();
    for (const text of ['9', '90', '900', '9000', '900', '901']) {
      await ed.cell('*/*', TTL).getByTestId('cell-input').fill(text);
    }
    await page.keyboard.press('Enter');
    const note = page.getByTestId(`star-note-${TTL}`);
    await note.waitFor();
    assert.match(await note.textContent(), /will not get 901/);
    assert.equal(await note.getAttribute('role'), null, 'the visible note is not a live region');
    const announced = [...new Set(await page.evaluate(() => window.__announced))];
    assert.equal(announced.length, 1, JSON.stringify(announced));
    assert.match(announced[0], /TTL.*\d+ methods? keeps? their own value/);
    assert.doesNotMatch(announced[0], /90/);
    await page.getByTestId('discard').click();
  });

  test('the cache-control strategy reads as words, with the AWS value in the tooltip and the preview', async () => {
    const { page } = env;
    await ed.open();
    const cell = ed.cell(PETS, STRATEGY);
    assert.equal(await value(PETS, STRATEGY), '403 Forbidden');
    assert.equal(await cell.locator('.value').getAttribute('title'), 'FAIL_WITH_403');
    assert.equal(await value('*/*', STRATEGY), 'Serve, add Warning');
    // The column fits its label: nothing is cut off.
    const cut = await cell.locator('.value').evaluate((el) => el.scrollWidth > el.clientWidth);
    assert.equal(cut, false, 'the strategy fits its column');
    await cell.click();
    const select = cell.getByTestId('cell-input');
    assert.deepEqual(await select.locator('option').allTextContents(), ['403 Forbidden', 'Serve, add Warning', 'Serve silently']);
    await select.selectOption('SUCCEED_WITHOUT_RESPONSE_HEADER');
    assert.match(await text('changes'), /403 Forbidden \(FAIL_WITH_403\)\s*→\s*Serve silently \(SUCCEED_WITHOUT_RESPONSE_HEADER\)/);
    assert.match(await ed.patchJson().textContent(), /"value":"SUCCEED_WITHOUT_RESPONSE_HEADER"/);
    await shot(page, 'strategy-labels');
    // Esc cancels the cell's edit: nothing is left to save.
    await page.keyboard.press('Escape');
    assert.equal(await text('dirty-count'), 'No unsaved changes');
  });

  test('test invoke shows the outcome a request would get: a Deny is a denial', async () => {
    const { page } = env;
    await ed.open('authorizers');
    await page.getByTestId('authorizer-list').waitFor();
    const invoke = async (token) => {
      await page.getByTestId('ti-token').fill(token);
      await page.getByTestId('ti-submit').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=ti-submit]') && !document.querySelector('[data-testid=ti-submit]').disabled);
      await page.getByTestId('ti-outcome').waitFor();
      return text('ti-outcome');
    };
    const denied = await invoke('deny');
    assert.match(denied, /denied by policy/);
    assert.match(denied, /HTTP 403/);
    assert.match(await text('ti-policy-words'), /Deny execute-api:Invoke on /);
    await shot(page, 'test-invoke-deny');
    assert.match(await invoke('allow'), /allowed · HTTP 200/);
    assert.match(await invoke('unauthorized'), /unauthorized · HTTP 401/);
  });

  test('a stage without a cache cluster: flush says there is nothing to flush, caching on methods warns', async () => {
    const { page } = env;
    const dev = new EditorPage(page, env.base, env.apiId, 'dev');
    assert.equal(getStage(env.boto, env.apiId, 'dev').cacheClusterEnabled, false);
    await dev.open('authorizers');
    await page.getByTestId('no-cluster-flush').waitFor();
    await page.getByTestId('flush-cache').click();
    assert.match(await text('confirm-dialog'), /no cache cluster/);
    await page.getByTestId('confirm-ok').click();
    await page.waitForFunction(() => /nothing to flush/.test(document.querySelector('[data-testid=flush-result]')?.textContent ?? ''));
    await dev.open();
    assert.equal(await page.getByTestId('no-cluster-note').count(), 0);
    await dev.cell('*/*', 'cachingEnabled').click();
    await dev.cell('*/*', 'cachingEnabled').getByTestId('cell-input').selectOption('true');
    await page.getByTestId('no-cluster-note').waitFor();
    assert.match(await text('no-cluster-note'), /no cache cluster/);
    await shot(page, 'no-cluster');
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('no-cluster-note').count(), 0, 'the note goes with the edit');
  });

  test('summaries are one line per field; the API is named, not only its id; overrides exclude */*', async () => {
    const { page } = env;
    await ed.open();
    assert.equal(await text('api-name'), 'petstore-demo');
    assert.match(await page.locator('header.topbar').textContent(), /petstore-demo/);
    assert.match(await text('matrix-counts'), /3 method overrides/);
    await page.getByTestId(`add-override-${ORDERS_GET}`).click();
    await ed.editCell(ORDERS_GET, 'throttlingRateLimit', '50');
    await page.keyboard.press('Enter');
    const lines = await page.getByTestId('changes').locator('li').allTextContents();
    assert.ok(lines.length >= 1);
    for (const line of lines) assert.doesNotMatch(line, /[{}]/, `no JSON in "${line}"`);
    assert.ok(lines.some((l) => /GET \/orders · Throttling rate limit/.test(l) || /GET \/orders · .*rate/i.test(l)), lines.join(' | '));
    // A save that includes someone else's change says so.
    env.boto(
      `c.update_stage(restApiId=${JSON.stringify(env.apiId)}, stageName='prod', patchOperations=[{'op': 'replace', 'path': '/description', 'value': 'edited elsewhere'}])`,
    );
    await ed.save().click();
    const toast = await ed.toast('success');
    const said = await toast.textContent();
    assert.match(said, /Merged with 1 change made elsewhere/);
    assert.match(said, /Description: Production → edited elsewhere/);
    assert.doesNotMatch(said, /[{}]/);
    await shot(page, 'merged-save');
  });
});
