// End-to-end test of the management page in a real browser (Debian's chromium driven by
// playwright-core). Needs a running node: ES_URL, KIBANA_URL, ELASTIC_PASSWORD in the
// environment (crates/rampart-server/tests/web_e2e.rs starts one and runs this script).
// Exits non-zero on the first failed expectation; screenshots go to e2e/screenshots/.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const ES = process.env.ES_URL;
const KBN = process.env.KIBANA_URL;
const PASSWORD = process.env.ELASTIC_PASSWORD;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(ES && KBN && PASSWORD, 'ES_URL, KIBANA_URL and ELASTIC_PASSWORD are required');
const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(shots, { recursive: true });

const basic = (u, p) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
async function api(base, method, path, body, user = ['elastic', PASSWORD]) {
  const resp = await fetch(base + path, {
    method,
    headers: { authorization: basic(...user), 'kbn-xsrf': 'e2e', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null };
}

const step = (name) => console.log(`• ${name}`);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
  // Playwright gives every launch a fresh temporary profile (its own --user-data-dir).
});
const failures = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`  console: ${m.text()}`); });

  // Two more spaces through the API; the third is created in the page.
  for (const [id, name] of [['sales', 'Sales'], ['engineering', 'Engineering']]) {
    const r = await api(KBN, 'POST', '/api/spaces/space', { id, name });
    assert.equal(r.status, 200, `create space ${id}: ${JSON.stringify(r.body)}`);
  }

  step('pages need a session: the shell redirects to the login form');
  await page.goto(`${KBN}/app/management/roles`);
  await page.waitForURL(/\/login\?next=/);
  await page.screenshot({ path: join(shots, '01-login.png') });
  await page.getByLabel('Username', { exact: true }).fill('elastic');
  await page.getByLabel('Password', { exact: true }).fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Username or password is incorrect').waitFor();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'rampart_sid');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', `session cookie flags: ${JSON.stringify(cookie)}`);

  step('first paint of the roles page');
  await page.goto(`${KBN}/app/management/roles`);
  await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0] || performance.getEntriesByName('first-paint')[0];
    return { firstPaint: paint ? paint.startTime : null, domContentLoaded: nav.domContentLoadedEventEnd, responseEnd: nav.responseEnd };
  });
  console.log(`FIRST_PAINT_MS=${timing.firstPaint?.toFixed(1)} DOM_CONTENT_LOADED_MS=${timing.domContentLoaded.toFixed(1)} RESPONSE_END_MS=${timing.responseEnd.toFixed(1)}`);
  await page.getByLabel('Search roles').fill('kibana_ad');
  await page.getByRole('link', { name: 'kibana_admin' }).waitFor();
  const adminRow = page.locator('tr', { has: page.getByRole('link', { name: 'kibana_admin', exact: true }) });
  assert.equal(await adminRow.locator('.badge').textContent(), 'Reserved');
  await page.screenshot({ path: join(shots, '02-roles.png') });

  step('create a space in the page');
  await page.getByRole('link', { name: 'Spaces' }).click();
  await page.getByRole('link', { name: 'Create space' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Marketing');
  assert.equal(await page.getByLabel('URL identifier').inputValue(), 'marketing');
  await page.getByLabel('Description', { exact: true }).fill('Campaigns');
  await page.getByRole('button', { name: 'Create space' }).click();
  await page.getByRole('link', { name: 'Marketing' }).waitFor();
  await page.screenshot({ path: join(shots, '03-spaces.png') });

  step('create a role: cluster, index (DLS + FLS) and Kibana privileges');
  await page.getByRole('link', { name: 'Roles' }).click();
  await page.getByRole('link', { name: 'Create role' }).click();
  await page.getByLabel('Role name').fill('web_analyst');
  await page.getByLabel('Description', { exact: true }).fill('Reads click logs');
  const cluster = page.getByLabel('Cluster privileges');
  for (const p of ['monitor', 'read_security']) { await cluster.fill(p); await cluster.press('Enter'); }
  const indexSection = page.locator('#index-privileges');
  const indices = indexSection.getByLabel('Indices', { exact: true });
  await indices.fill('logs-*'); await indices.press('Enter');
  const privileges = indexSection.getByLabel('Privileges', { exact: true });
  for (const p of ['read', 'view_index_metadata']) { await privileges.fill(p); await privileges.press('Enter'); }
  await indexSection.getByLabel('Grant read privileges to specific documents').check();
  const query = indexSection.getByLabel('Granted documents query');
  await query.fill('{"match": {"category": "click"');

  step('a validation error is shown next to its field');
  await page.getByRole('button', { name: 'Create role' }).click();
  const describedBy = (await query.getAttribute('aria-describedby')).split(' ')[0];
  const queryError = page.locator(`[id="${describedBy}"]`);
  await queryError.waitFor();
  assert.equal(await queryError.textContent(), 'The query must be a JSON object.');
  assert.equal(await query.getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: join(shots, '04-validation-error.png') });
  await query.fill('{"match": {"category": "click"}}');
  await indexSection.getByLabel('Grant access to specific fields').check();
  const denied = indexSection.getByLabel('Denied fields');
  await denied.fill('secret'); await denied.press('Enter');

  const kibanaSection = page.locator('#kibana-privileges');
  const addEntry = async (space, privilege, custom) => {
    await kibanaSection.getByRole('button', { name: 'Add Kibana privilege' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Kibana privilege' });
    await dialog.getByLabel('Spaces').selectOption({ label: space });
    await dialog.getByLabel('Privilege', { exact: true }).selectOption({ label: privilege });
    if (custom) await custom(dialog);
    await dialog.getByRole('button', { name: 'Add Kibana privilege' }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  await addEntry('Marketing', 'All');
  await addEntry('Sales', 'Read');
  await addEntry('Engineering', 'Custom', async (dialog) => {
    await dialog.getByRole('radiogroup', { name: 'Dashboard', exact: true }).getByLabel('All').check();
    await dialog.getByRole('radiogroup', { name: 'Discover', exact: true }).getByLabel('All').check();
    await dialog.getByRole('radiogroup', { name: 'Discover', exact: true }).getByLabel('None').check();
    await page.screenshot({ path: join(shots, '05-kibana-privilege-panel.png') });
  });
  // A space may appear in one entry only.
  await kibanaSection.getByRole('button', { name: 'Add Kibana privilege' }).click();
  const panel = page.getByRole('dialog', { name: 'Add Kibana privilege' });
  assert.ok(await panel.locator('option', { hasText: 'Marketing' }).isDisabled());
  assert.ok(!(await panel.locator('option', { hasText: 'All Spaces' }).isDisabled()));
  await panel.getByRole('button', { name: 'Cancel' }).click();
  const entries = kibanaSection.getByRole('table', { name: 'Kibana privileges' });
  for (const [space, label] of [['Marketing', 'All'], ['Sales', 'Read'], ['Engineering', 'Custom']]) {
    assert.equal(await entries.locator('tr', { hasText: space }).locator('td').nth(1).textContent(), label);
  }

  step('view the privilege summary');
  await kibanaSection.getByRole('button', { name: 'View privilege summary' }).click();
  const summary = page.getByRole('dialog', { name: 'Privilege summary' });
  await summary.getByRole('table').waitFor();
  const cells = async (feature) => summary.locator('tr', { has: page.getByRole('rowheader', { name: feature, exact: true }) }).locator('td').allTextContents();
  assert.deepEqual(await cells('Dashboard'), ['All', 'Read', 'All']);
  assert.deepEqual(await cells('Discover'), ['All', 'Read', 'None']);
  await page.screenshot({ path: join(shots, '06-privilege-summary.png') });
  await summary.getByRole('button', { name: 'Close' }).click();
  await page.screenshot({ path: join(shots, '07-role-form.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('link', { name: 'web_analyst', exact: true }).waitFor();

  step('the role as Elasticsearch stores it');
  const stored = (await api(ES, 'GET', '/_security/role/web_analyst')).body.web_analyst;
  assert.deepEqual(stored.cluster, ['monitor', 'read_security']);
  assert.deepEqual(stored.indices[0].names, ['logs-*']);
  assert.deepEqual(stored.indices[0].privileges, ['read', 'view_index_metadata']);
  assert.deepEqual(JSON.parse(stored.indices[0].query), { match: { category: 'click' } });
  assert.deepEqual(stored.indices[0].field_security, { grant: ['*'], except: ['secret'] });
  const apps = stored.applications.filter((a) => a.application === 'kibana-.kibana');
  const bySpace = Object.fromEntries(apps.map((a) => [a.resources.join(','), a.privileges]));
  assert.deepEqual(bySpace['space:marketing'], ['space_all']);
  assert.deepEqual(bySpace['space:sales'], ['space_read']);
  assert.deepEqual(bySpace['space:engineering'], ['feature_dashboard.all']);
  const kbnRole = (await api(KBN, 'GET', '/api/security/role/web_analyst')).body;
  assert.deepEqual(kbnRole.kibana.find((k) => k.spaces[0] === 'engineering').feature, { dashboard: ['all'] });

  step('create a user with that role (the server rejects a short password next to its field)');
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: 'Create user' }).click();
  await page.getByLabel('Username', { exact: true }).fill('ana');
  await page.getByLabel('Full name').fill('Ana Lyst');
  await page.getByLabel('Email').fill('ana@example.com');
  await page.getByLabel('Password', { exact: true }).fill('abc');
  const roles = page.getByLabel('Roles', { exact: true });
  await roles.fill('web_analyst'); await roles.press('Enter');
  await page.getByRole('button', { name: 'Create user' }).click();
  const pwError = page.locator(`[id="${(await page.getByLabel('Password', { exact: true }).getAttribute('aria-describedby')).split(' ')[0]}"]`);
  await pwError.waitFor();
  assert.match(await pwError.textContent(), /password/i);
  await page.screenshot({ path: join(shots, '08-user-form-error.png') });
  await page.getByLabel('Password', { exact: true }).fill('ana-password-1');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('link', { name: 'ana', exact: true }).waitFor();
  assert.ok(await page.locator('tr', { hasText: 'Ana Lyst' }).getByText('web_analyst').isVisible());
  await page.screenshot({ path: join(shots, '09-users.png') });

  step('log in as that user and see only what the role allows');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login/);
  const again = await page.request.get(`${KBN}/internal/security/me`);
  assert.equal(again.status(), 401, 'the old session is gone after logout');
  await page.getByLabel('Username', { exact: true }).fill('ana');
  await page.getByLabel('Password', { exact: true }).fill('ana-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Create role' }).count(), 0, 'read_security cannot create roles');
  assert.equal(await page.getByRole('button', { name: /^Delete role/ }).count(), 0, 'read_security cannot delete roles');
  await page.getByRole('link', { name: 'web_analyst', exact: true }).click();
  await page.getByText('You can view this role; editing it requires the manage_security cluster privilege.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Update role' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Add Kibana privilege' }).count(), 0);
  await page.screenshot({ path: join(shots, '10-analyst-role-readonly.png'), fullPage: true });
  await page.getByRole('link', { name: 'Spaces' }).click();
  await page.getByRole('heading', { name: 'Spaces', level: 1 }).waitFor();
  const spaceNames = await page.locator('tbody th a').allTextContents();
  assert.deepEqual([...spaceNames].sort(), ['Engineering', 'Marketing', 'Sales'], 'only the spaces the role grants');
  await page.screenshot({ path: join(shots, '11-analyst-spaces.png') });
  // Managing spaces needs Kibana's global space:manage, which the role lacks: no create or
  // delete controls, and a space opens read-only.
  assert.equal(await page.getByRole('link', { name: 'Create space' }).count(), 0, 'no space:manage: no Create space');
  assert.equal(await page.getByRole('button', { name: /^Delete space/ }).count(), 0, 'no space:manage: no Delete');
  await page.getByRole('link', { name: 'Marketing', exact: true }).click();
  await page.getByText('You can view this space but not change it.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Update space' }).count(), 0);
  assert.ok(await page.getByLabel('Name', { exact: true }).evaluate((el) => el.readOnly), 'name is read-only');
  await page.goto(`${KBN}/app/management/spaces/edit`);
  await page.getByText('You need the Kibana privilege to manage spaces').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create space' }).count(), 0);
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Create user' }).count(), 0);

  step('explain access');
  await page.getByRole('link', { name: 'Explain access' }).click();
  await page.getByLabel('Question').selectOption('index');
  await page.getByLabel('Indices', { exact: true }).fill('logs-2025');
  await page.getByRole('button', { name: 'Explain' }).click();
  await page.getByText('Allowed for ana').waitFor();
  await page.getByLabel('Indices', { exact: true }).fill('secrets');
  await page.getByRole('button', { name: 'Explain' }).click();
  await page.getByText('Denied for ana').waitFor();
  await page.screenshot({ path: join(shots, '12-explain.png') });

  step('keyboard: the login form works without a mouse');
  const kb = await browser.newContext();
  const kpage = await kb.newPage();
  await kpage.goto(`${KBN}/login`);
  // The browser applies autofocus at a rendering update, which may come after `load` on a
  // busy machine: wait for it (a form without autofocus still fails here).
  await kpage.waitForFunction(() => document.activeElement?.id === 'username', null, { timeout: 10000 });
  await kpage.keyboard.type('ana');
  await kpage.keyboard.press('Tab');
  await kpage.keyboard.type('ana-password-1');
  await kpage.keyboard.press('Enter');
  await kpage.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  await kb.close();
} catch (err) {
  failures.push(err.stack || String(err));
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('web e2e: all flows passed');
