// Issue 17: the "Try a request" panel beside the flush buttons. Each answer shows whether the stage
// cache served it and whether the authorizer ran or its cached policy was used, so a flush visibly
// changes the next answer. Against the demo stage prod: GET /pets is cached (cache cluster on, 60 s),
// GET /orders is behind the demo TOKEN authorizer (result TTL 300 s; token `allow` allows).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EditorPage, setup, shot } from './harness.mjs';

describe('try a request on the stage', () => {
  let env;
  let ed;
  before(async () => {
    env = await setup({ viewport: { width: 1400, height: 900 } });
    ed = new EditorPage(env.page, env.base, env.apiId, 'prod');
  });
  after(async () => env?.stop());

  const text = (id) => env.page.getByTestId(id).textContent().then((t) => t.trim());

  /** Sends one request from the panel and returns what it shows. */
  async function send(path, headers = '') {
    const { page } = env;
    await page.getByTestId('try-path').fill(path);
    await page.getByTestId('try-headers').fill(headers);
    const previous = await page.getByTestId('try-result').count() ? await text('try-response-headers') : null;
    await page.getByTestId('try-send').click();
    await page.waitForFunction(
      (prev) => {
        const send = document.querySelector('[data-testid=try-send]');
        const shown = document.querySelector('[data-testid=try-response-headers]');
        return send && !send.disabled && shown && shown.textContent.trim() !== prev;
      },
      previous,
    );
    return { status: Number(await text('try-status')), cache: await text('try-cache'), authorizer: await text('try-authorizer') };
  }

  async function flush(button) {
    const { page } = env;
    await page.getByTestId(button).click();
    if (await page.getByTestId('confirm-dialog').count()) await page.getByTestId('confirm-ok').click();
    await page.waitForFunction(() => /accepted/.test(document.querySelector('[data-testid=flush-result]')?.textContent ?? ''));
  }

  test('the stage cache: a miss, then a hit, then a miss after Flush stage cache', async () => {
    await ed.open('authorizers');
    await env.page.getByTestId('try-request').waitFor();
    const first = await send('/pets');
    assert.equal(first.status, 200);
    const second = await send('/pets');
    assert.equal(second.cache, 'hit', JSON.stringify({ first, second }));
    await flush('flush-cache');
    const third = await send('/pets');
    assert.equal(third.cache, 'miss');
    await env.page.getByTestId('try-result').scrollIntoViewIfNeeded();
    await shot(env.page, 'try-request-cache');
  });

  test('the authorizer: invoked, then its cached policy, then invoked again after Flush authorizer cache', async () => {
    await ed.open('authorizers');
    const first = await send('/orders', 'Authorization: allow');
    assert.equal(first.status, 200);
    assert.equal(first.authorizer, 'invoked');
    const second = await send('/orders', 'Authorization: allow');
    assert.equal(second.authorizer, 'cached policy used (not invoked)');
    await flush('flush-authorizers');
    const third = await send('/orders', 'Authorization: allow');
    assert.equal(third.authorizer, 'invoked');
    const missing = await send('/orders');
    assert.equal(missing.status, 401, 'no token: unauthorized without calling the authorizer');
    assert.equal(missing.authorizer, 'not invoked (refused before the call)');
    await env.page.getByTestId('try-result').scrollIntoViewIfNeeded();
    await shot(env.page, 'try-request-authorizer');
  });

  test('a header line without a colon is refused in the form', async () => {
    const { page } = env;
    await ed.open('authorizers');
    await page.getByTestId('try-headers').fill('Authorization allow');
    await page.getByTestId('try-send').click();
    assert.match(await page.getByTestId('try-request').getByRole('alert').textContent(), /not a `Name: value` header line/);
  });

  test('with serve targeting AWS the panel is not offered (serve has no such route there)', async () => {
    const { page } = env;
    // The page as `stagecraft serve --target aws` writes it: the same app, another target meta.
    await page.route('**/apis/**', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const res = await route.fetch();
      const html = (await res.text()).replace(/<meta name="stagecraft-target" content="[^"]*">/, '<meta name="stagecraft-target" content="aws">');
      await route.fulfill({ response: res, body: html });
    });
    try {
      await ed.open('authorizers');
      await page.getByTestId('flush-cache').waitFor();
      assert.equal(await page.getByTestId('try-request').count(), 0);
      assert.match(await page.getByTestId('invoke-url').textContent(), /execute-api\.us-east-1\.amazonaws\.com/);
    } finally {
      await page.unrouteAll();
    }
    await ed.open('authorizers');
    await page.getByTestId('try-request').waitFor();
  });
});
