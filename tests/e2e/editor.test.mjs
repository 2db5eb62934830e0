// End-to-end: the web editor in headless Chromium against `stagecraft serve --endpoint` in front of
// `stagecraft emulator --demo`, with boto3 as the independent check. Screenshots go to target/e2e/.
//
// Run: node --test --test-concurrency=1 tests/e2e/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EditorPage, awsCli, getStage, setup, shot } from './harness.mjs';

const PETS = '~1pets/GET';
const ORDERS = '~1orders/POST';
const TTL_MESSAGE = 'Invalid time-to-live setting, must be an integer no greater than 3600';

describe('stage editor', () => {
  let env;
  let ed;

  before(async () => {
    env = await setup();
    ed = new EditorPage(env.page, env.base, env.apiId, 'prod');
  });

  after(async () => {
    await env?.stop();
  });

  test('navigates from the API list to a stage by deep links, with back/forward', async () => {
    const { page, base, apiId } = env;
    await page.goto(`${base}/`);
    await page.getByTestId('api-list').getByText('petstore-demo').click();
    await page.getByTestId('stage-list').waitFor();
    assert.equal(new URL(page.url()).pathname, `/apis/${apiId}`);
    await page.getByTestId('stage-row-prod').getByRole('link', { name: 'prod' }).click();
    await page.getByTestId('matrix').waitFor();
    assert.equal(new URL(page.url()).pathname, `/apis/${apiId}/stages/prod`);
    await page.getByTestId('tab-settings').click();
    await page.getByTestId('stage-settings').waitFor();
    assert.equal(new URL(page.url()).pathname, `/apis/${apiId}/stages/prod/settings`);
    await page.goBack();
    await page.getByTestId('matrix').waitFor();
    await page.goBack();
    await page.getByTestId('stage-list').waitFor();
    await page.goForward();
    await page.getByTestId('editor').waitFor();
    await shot(page, 'navigation');
  });

  test('matrix shows */*, every method, inherited values and overrides', async () => {
    await ed.open();
    const page = env.page;
    for (const key of ['*/*', '~1/GET', PETS, '~1pets/POST', '~1pets~1{petId}/GET', '~1pets~1{petId}/DELETE', '~1orders/GET', ORDERS]) {
      if (key === '~1/GET') continue; // the demo's root has no method
      await page.getByTestId(`row-${key}`).waitFor();
    }
    // /pets GET overrides the TTL (60); /orders GET inherits */* (300).
    assert.equal((await ed.cell(PETS, 'cacheTtlInSeconds').locator('.value').textContent()).trim(), '60');
    assert.match(await ed.cell(PETS, 'cacheTtlInSeconds').getAttribute('class'), /src-override/);
    assert.match(await ed.cell('~1orders/GET', 'cacheTtlInSeconds').getAttribute('class'), /src-inherited/);
    // Help for the cache-control strategy explains max-age=0.
    await page.getByTestId('help-unauthorizedCacheControlHeaderStrategy').click();
    assert.match(await page.getByTestId('setting-help').textContent(), /max-age=0/);
    await shot(page, 'matrix');
  });

  test('change a TTL override, preview the patch, save, confirm with boto3', async () => {
    await ed.open();
    const page = env.page;
    await ed.editCell(PETS, 'cacheTtlInSeconds', '120');
    await page.keyboard.press('Enter');
    const json = JSON.parse(await ed.patchJson().textContent());
    assert.deepEqual(json, [{ op: 'replace', path: '/~1pets/GET/caching/ttlInSeconds', value: '120' }]);
    assert.match(await page.getByTestId('changes').textContent(), /GET \/pets · Cache TTL \(s\)\s*60\s*→\s*120/);
    await shot(page, 'ttl-preview');
    assert.equal(await ed.save().isEnabled(), true);
    await ed.save().click();
    const toast = await ed.toast('success');
    assert.match(await toast.textContent(), /Saved 1 change/);
    const stage = getStage(env.boto, env.apiId, 'prod');
    assert.equal(stage.methodSettings[PETS].cacheTtlInSeconds, 120);
    assert.equal(await page.getByTestId('dirty-count').textContent(), 'No unsaved changes');
    await shot(page, 'ttl-saved');
  });

  test('4000 shows core\'s message inline and disables Save', async () => {
    await ed.open();
    const page = env.page;
    await ed.editCell(PETS, 'cacheTtlInSeconds', '4000');
    const error = ed.cell(PETS, 'cacheTtlInSeconds').getByTestId('cell-error');
    assert.equal((await error.textContent()).trim(), TTL_MESSAGE);
    assert.equal(await ed.save().isDisabled(), true);
    assert.match(await page.getByTestId('validation-summary').textContent(), /time-to-live/);
    await shot(page, 'ttl-invalid');
    // Esc restores the stored value.
    await page.keyboard.press('Escape');
    assert.equal(await ed.cell(PETS, 'cacheTtlInSeconds').getByTestId('cell-error').count(), 0);
    assert.equal(await ed.save().isDisabled(), true);
  });

  test('keyboard: arrows move, Enter edits, Delete resets a field', async () => {
    await ed.open();
    const page = env.page;
    await ed.cell(ORDERS, 'throttlingBurstLimit').focus();
    await page.keyboard.press('ArrowRight');
    const focusedField = await page.evaluate(() => document.activeElement?.dataset.testid);
    assert.equal(focusedField, `cell-${ORDERS}-throttlingRateLimit`);
    await page.keyboard.press('Delete');
    // Reset: the rate limit takes */*'s value (100), stored as a copy on save.
    assert.match(await ed.cell(ORDERS, 'throttlingRateLimit').getAttribute('class'), /src-copy|src-same|src-inherited/);
    assert.equal((await ed.cell(ORDERS, 'throttlingRateLimit').locator('.value').textContent()).trim(), '100');
    await page.getByTestId('discard').click();
    assert.equal((await ed.cell(ORDERS, 'throttlingRateLimit').locator('.value').textContent()).trim(), '5');
  });

  test('remove an override', async () => {
    await ed.open();
    const page = env.page;
    await page.getByTestId(`remove-override-${ORDERS}`).click();
    assert.deepEqual(JSON.parse(await ed.patchJson().textContent()), [{ op: 'remove', path: `/${ORDERS}` }]);
    await page.getByTestId(`add-override-${ORDERS}`).waitFor();
    await shot(page, 'remove-override');
    await ed.save().click();
    await ed.toast('success');
    const stage = getStage(env.boto, env.apiId, 'prod');
    assert.equal(stage.methodSettings[ORDERS], undefined);
    assert.ok(stage.methodSettings['*/*']);
  });

  test('a concurrent boto3 update to the same field opens the three-way view', async () => {
    await ed.open();
    const page = env.page;
    await ed.editCell(PETS, 'cacheTtlInSeconds', '240');
    await page.keyboard.press('Enter');
    env.boto(
      `c.update_stage(restApiId=${JSON.stringify(env.apiId)}, stageName='prod', patchOperations=[{'op': 'replace', 'path': '/~1pets/GET/caching/ttlInSeconds', 'value': '90'}])`,
    );
    await ed.save().click();
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    assert.equal((await conflict.getByTestId('theirs-value').textContent()).trim(), '90');
    assert.equal((await conflict.getByTestId('mine-value').textContent()).trim(), '240');
    await shot(page, 'conflict');
    await conflict.getByTestId('keep-mine').check();
    await page.getByTestId('conflict-save').click();
    await ed.toast('success');
    assert.equal(getStage(env.boto, env.apiId, 'prod').methodSettings[PETS].cacheTtlInSeconds, 240);
  });

  test('a concurrent update to another field is rebased without asking', async () => {
    await ed.open();
    const page = env.page;
    await ed.editCell(PETS, 'cacheTtlInSeconds', '30');
    await page.keyboard.press('Enter');
    env.boto(
      `c.update_stage(restApiId=${JSON.stringify(env.apiId)}, stageName='prod', patchOperations=[{'op': 'replace', 'path': '/description', 'value': 'changed by boto3'}])`,
    );
    await ed.save().click();
    await ed.toast('success');
    const stage = getStage(env.boto, env.apiId, 'prod');
    assert.equal(stage.description, 'changed by boto3');
    assert.equal(stage.methodSettings[PETS].cacheTtlInSeconds, 30);
  });

  test('stage settings: variables validate live, description saves', async () => {
    await ed.open('settings');
    const page = env.page;
    await page.getByTestId('add-variable').click();
    const row = page.getByTestId('variables').locator('.var-row').last();
    await row.getByTestId('variable-name').fill('bad name');
    await row.getByTestId('variable-value').fill('x');
    assert.match(await row.textContent(), /bad name/);
    assert.equal(await ed.save().isDisabled(), true);
    await row.getByTestId('variable-name').fill('region');
    assert.equal(await ed.save().isEnabled(), true);
    assert.match(await ed.patchJson().textContent(), /"\/variables\/region"/);
    await page.getByTestId('field-description').fill('Production, edited');
    await shot(page, 'stage-settings');
    await ed.save().click();
    await ed.toast('success');
    const stage = getStage(env.boto, env.apiId, 'prod');
    assert.equal(stage.variables.region, 'x');
    assert.equal(stage.description, 'Production, edited');
  });

  test('an error from AWS is shown verbatim and nothing is lost', async () => {
    await ed.open('settings');
    const page = env.page;
    // A deployment the stage does not use: pick it, then delete it behind the editor's back.
    const current = getStage(env.boto, env.apiId, 'prod').deploymentId;
    const spare = env
      .boto(`print(next(d['id'] for d in c.get_deployments(restApiId=${JSON.stringify(env.apiId)})['items'] if d['id'] != ${JSON.stringify(current)} and d.get('description', '').startswith('Initial')))`)
      .trim();
    await page.getByTestId('field-deploymentId').selectOption(spare);
    assert.match(await ed.patchJson().textContent(), new RegExp(`"/deploymentId","value":"${spare}"`));
    env.boto(`c.delete_deployment(restApiId=${JSON.stringify(env.apiId)}, deploymentId=${JSON.stringify(spare)})`);
    // What AWS (the emulator) answers boto3 for the same operation:
    const expected = env
      .boto(`
try:
    c.update_stage(restApiId=${JSON.stringify(env.apiId)}, stageName='prod', patchOperations=[{'op': 'replace', 'path': '/deploymentId', 'value': ${JSON.stringify(spare)}}])
except c.exceptions.ClientError as e:
    print(e.response['Error']['Code'] + '\t' + e.response['Error']['Message'])`)
      .trim()
      .split('\t');
    await ed.save().click();
    const box = page.getByTestId('save-error');
    await box.waitFor();
    const text = await box.textContent();
    assert.ok(text.includes(expected[0]), `${text} has ${expected[0]}`);
    assert.ok(text.includes(expected[1]), `${text} has ${expected[1]}`);
    assert.match(await page.getByTestId('dirty-count').textContent(), /1 unsaved change/);
    await shot(page, 'aws-error');
    await page.getByTestId('discard').click();
  });

  test('authorizers: test-invoke and both flushes', async () => {
    await ed.open('authorizers');
    const page = env.page;
    await page.getByTestId('authorizer-list').waitFor();
    await page.getByTestId('ti-token').fill('allow');
    await page.getByTestId('ti-submit').click();
    await page.getByTestId('ti-result').waitFor();
    assert.equal((await page.getByTestId('ti-status').textContent()).trim(), '0');
    assert.ok((await page.getByTestId('ti-principal').textContent()).trim().length > 0);
    assert.match(await page.getByTestId('ti-policy').textContent(), /execute-api:Invoke/);
    await shot(page, 'test-invoke');
    await page.getByTestId('ti-token').fill('unauthorized');
    await page.getByTestId('ti-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=ti-status]')?.textContent.trim() === '401');

    await page.getByTestId('flush-authorizers').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('flush-result').waitFor();
    assert.match(await page.getByTestId('flush-result').textContent(), /Flush authorizer cache/);
    await page.getByTestId('flush-cache').click();
    await page.getByTestId('confirm-ok').click();
    await page.waitForFunction(() => /Flush stage cache/.test(document.querySelector('[data-testid=flush-result]')?.textContent ?? ''));
    await shot(page, 'flush');
  });

  test('create a stage from a deployment, then delete it with confirmation', async () => {
    const { page, base, apiId } = env;
    await page.goto(`${base}/apis/${apiId}`);
    await page.getByTestId('stage-list').waitFor();
    await page.getByTestId('new-stage-name').fill('bad name');
    assert.equal(await page.getByTestId('create-stage-submit').isDisabled(), true);
    await page.getByTestId('new-stage-name').fill('e2e');
    await page.getByTestId('create-stage-submit').click();
    await page.getByTestId('stage-row-e2e').waitFor();
    assert.equal(getStage(env.boto, apiId, 'e2e').stageName, 'e2e');
    await page.getByTestId('delete-stage-e2e').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('stage-row-e2e').waitFor({ state: 'detached' });
    await shot(page, 'stages');
  });

  test('canary: a stage-variable override validates live, previews and saves', async () => {
    await ed.open('settings');
    const page = env.page;
    if (!(await page.getByTestId('canary-toggle').isChecked())) {
      await page.getByTestId('canary-toggle').check();
      await page.getByTestId('field-canarySettings-percentTraffic').fill('10');
    }
    await page.getByTestId('add-canary-override').click();
    const row = page.getByTestId('canary-overrides').locator('.var-row').last();
    await row.getByTestId('canary-override-name').fill('bad name');
    await row.getByTestId('canary-override-value').fill('canary.example.com');
    assert.match(await row.textContent(), /bad name/);
    assert.equal(await ed.save().isDisabled(), true);
    await row.getByTestId('canary-override-name').fill('backend');
    assert.equal(await ed.save().isEnabled(), true);
    const ops = JSON.parse(await ed.patchJson().textContent());
    assert.ok(
      ops.some((o) => o.path === '/canarySettings/stageVariableOverrides/backend' && o.value === 'canary.example.com'),
      JSON.stringify(ops),
    );
    await shot(page, 'canary-override');
    await ed.save().click();
    await ed.toast('success');
    const stage = getStage(env.boto, env.apiId, 'prod');
    assert.equal(stage.canarySettings.stageVariableOverrides.backend, 'canary.example.com');
    assert.equal(await page.getByTestId('dirty-count').textContent(), 'No unsaved changes');
  });

  test('embed mode has no chrome; a narrow window stacks the preview', async () => {
    const { page } = env;
    await page.goto(`${ed.url()}?embed=1`);
    await page.getByTestId('matrix').waitFor();
    assert.equal(await page.locator('header.topbar').count(), 0);
    await shot(page, 'embed');
    await page.setViewportSize({ width: 600, height: 900 });
    await page.goto(ed.url());
    await page.getByTestId('matrix').waitFor();
    const side = await page.locator('.editor-side').boundingBox();
    const main = await page.locator('.editor-main').boundingBox();
    assert.ok(side.y >= main.y + main.height - 1, 'the preview sits below the matrix');
    await shot(page, 'narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('Copy JSON and Copy CLI put the patch on the clipboard; the copied command works in bash', async () => {
    const { page, context, base } = env;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await ed.open();
    assert.equal(await page.getByTestId('copy-json').isDisabled(), true, 'nothing to copy yet');
    await ed.editCell(PETS, 'throttlingBurstLimit', '77');
    await page.keyboard.press('Enter');
    const preview = await ed.patchJson().textContent();

    await page.getByTestId('copy-json').click();
    await ed.toast('success');
    const json = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(json, preview);
    assert.deepEqual(JSON.parse(json), [{ op: 'replace', path: '/~1pets/GET/throttling/burstLimit', value: '77' }]);

    await page.getByTestId('copy-cli').click();
    let cli = json;
    for (let i = 0; i < 50 && cli === json; i++) {
      await page.waitForTimeout(100);
      cli = await page.evaluate(() => navigator.clipboard.readText());
    }
    assert.match(cli, new RegExp(`^aws apigateway update-stage --rest-api-id ${env.apiId} --stage-name prod --patch-operations '`));
    // Pasted into a shell, the command makes exactly the change the editor would have saved.
    const updated = JSON.parse(awsCli(env.emulator, cli));
    assert.equal(updated.methodSettings[PETS].throttlingBurstLimit, 77);
    assert.equal(getStage(env.boto, env.apiId, 'prod').methodSettings[PETS].throttlingBurstLimit, 77);
    await shot(page, 'copy-cli');
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(env.consoleErrors.filter((e) => !/status of 4\d\d/.test(e)), []);
  });
});
