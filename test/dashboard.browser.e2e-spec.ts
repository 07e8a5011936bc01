/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (`.ci/run` installs
 * it when it is missing). Saves a screenshot to test-artifacts/dashboard.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = 'test-artifacts/dashboard.png';

let t: TestApp;
let profile: string;
let browser: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  t = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 200 });
  await newTenant(t.url, t.adminKey, { name: 'Demo Clinic', slug: 'demo' });
  profile = mkdtempSync(path.join(tmpdir(), 'agent-runtime-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 } });
  page = browser.pages()[0] ?? (await browser.newPage());
  // anything the page reports as broken (a CSP refusal, a script error, a failed request) fails the test
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await t?.close();
});

const text = (selector: string) => page.locator(selector).innerText();
const savedKey = () => page.evaluate('sessionStorage.getItem("agent-runtime.api-key")');
const soon = <T>(probe: () => Promise<T>, timeout = 5000) => expect.poll(probe, { timeout, interval: 25 });
const globalMode = async () => (await client(t.url, t.adminKey).get('/api/autonomy')).body.mode.global as string;

describe('the operator dashboard in Chromium', () => {
  it('asks for a key, toggles autonomy off and on, shows a booking’s confirmation job live within 2 s', async () => {
    await page.goto(t.url);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#app').isHidden()).toBe(true);

    await page.fill('#key', t.adminKey);
    await page.click('#connect');
    await page.locator('#app').waitFor({ state: 'visible' });
    await soon(() => text('#conn')).toBe('live');
    expect(await savedKey()).toBe(t.adminKey);
    expect(await text('#master')).toBe('ON');
    expect(await text('#mode')).toBe('ON');

    await page.click('button[data-mode="off"]');
    await soon(() => text('#mode')).toBe('OFF');
    expect(await globalMode()).toBe('off');
    expect(await page.getAttribute('button[data-mode="off"]', 'aria-pressed')).toBe('true');

    await page.click('button[data-mode="on"]');
    await soon(() => text('#mode')).toBe('ON');
    expect(await globalMode()).toBe('on');

    // the policy rules with their effect, and the audit trail with the two toggles
    await page.locator('#rules tbody tr').first().waitFor();
    const rules = await page.locator('#rules tbody tr').allInnerTexts();
    expect(rules.some((r) => r.includes('send_confirmation') && r.includes('allow'))).toBe(true);
    expect(rules.some((r) => r.includes('auto_cancel_no_show') && r.includes('deny'))).toBe(true);
    await soon(async () => (await page.locator('#audit tbody tr', { hasText: 'autonomy.mode_changed' }).count()) >= 2).toBe(true);

    // development: book a test appointment for the demo tenant, and watch it go through
    const booked = page.waitForResponse((r) => r.url().endsWith('/api/appointments') && r.request().method() === 'POST');
    await page.click('#book');
    const response = await booked;
    expect(response.status()).toBe(201);
    const t0 = Date.now();
    await page.locator('#feed tbody tr[data-type="send_confirmation"][data-status="completed"]').waitFor({ timeout: 2000 });
    expect(Date.now() - t0).toBeLessThan(2000);
    const rows = page.locator('#feed tbody tr[data-type="send_confirmation"]');
    const statuses: (string | null)[] = [];
    for (let i = 0; i < (await rows.count()); i++) statuses.push(await rows.nth(i).getAttribute('data-status'));
    expect(statuses).toEqual(['completed', 'claimed', 'pending']); // newest first
    expect(await text('#book-msg')).toMatch(/^Booked /);
    // the reminder is scheduled: the indicator counts it and names its time
    await soon(async () => Number(await text('#scheduled-count'))).toBeGreaterThanOrEqual(1);
    expect(await text('#next-run')).not.toBe('–');
    expect(await page.locator('#instances tbody tr').count()).toBe(1);
    // and the audit trail tells the loop: the event, the policy decision, the job, the notification
    await soon(async () => {
      const audit = await text('#audit');
      return ['event.BookingCreated', 'policy.decision', 'job.completed', 'notification.'].filter((k) => !audit.includes(k));
    }).toEqual([]);

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('keeps the key for the tab only: a reload stays signed in, "Forget key" signs out', async () => {
    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await savedKey()).toBeNull();
  });

  it('refuses a wrong key', async () => {
    await page.fill('#key', 'sk_AAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    await page.click('#connect');
    await soon(() => text('#login-error')).toContain('401');
    expect(await page.locator('#app').isHidden()).toBe(true);
    problems.length = 0; // the refused request is logged by the browser on purpose
  });

  it('serves Swagger UI under the same CSP, working', async () => {
    await page.goto(`${t.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(30);
    expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
  });
});
