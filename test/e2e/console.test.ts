// The console in a real browser (Debian's Chromium driven by playwright-core) against the local stack as `npm start` runs it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { newestCatalogVersion } from '../../src/domain/catalog.js';
import { launchChromium, seriousViolations } from '../helpers/browser.js';
import { annotateNode, pinUnevictablePod } from '../helpers/simOps.js';
import { call, scanAll, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// git-ignored: a look at each view after a run
const SHOTS = join(ROOT, 'test-output', 'console');
const VIEWER = 'e2e-viewer-token-0123456789';
const TARGET = newestCatalogVersion();
const [MAJOR, MINOR] = TARGET.split('.').map(Number);
const BEHIND = `${MAJOR}.${MINOR! - 1}.4`;

let stack: ChildStack;
let dataDir: string;
let browser: Browser;
let lab: KubeSim;
let link: string;
const api = (method: string, path: string, body?: unknown, opts?: Parameters<typeof call>[4]) => call(stack.url, method, path, body, opts);

/** A browser context whose every request is recorded from before the first navigation. */
async function openContext(): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
  // bypassCSP: only so that axe can be injected; the page's own requests are what the listener checks
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  return { context, page, requests };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

function expectSameOrigin(requests: string[]): void {
  expect(requests.length).toBeGreaterThan(3);
  const origin = new URL(stack.url).origin;
  expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
}

const nodesUpgraded = async (page: Page) => Number(/^(\d+) of/.exec((await page.locator('.count').textContent()) ?? '')?.[1] ?? NaN);

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-console-'));
  [stack, browser, lab] = await Promise.all([
    // masters that take a second each, so the page sees them one by one; 6 workers go in batches of 1
    startChildStack(dataDir, { KUPGRADE_VIEWER_TOKEN: VIEWER, KUPGRADE_DEMO_WORKERS: '6', KUPGRADE_DEMO_UPGRADE_SECONDS: '1' }),
    launchChromium(),
    startKubeSim({ masters: 1, workers: 2, version: BEHIND, upgradeMs: 200, rescheduleMs: 20, workload: 'none' }),
  ]);
  link = /^console: (\S+)$/m.exec(stack.output())![1]!;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopChildStack(stack);
  await lab?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the console', () => {
  it('axe fails a page with a known violation (so a pass means something)', async () => {
    const { context, page } = await openContext();
    await page.setContent(await readFile(join(ROOT, 'test/e2e/fixtures/axeViolation.html'), 'utf8'));
    const ids = (await seriousViolations(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['button-name', 'image-alt']));
    await context.close();
  });

  it('serves its page and assets without the token, and keeps 401 for the API', async () => {
    const page = await fetch(`${stack.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = /src="(console\/app-[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${stack.url}/${asset}`)).status).toBe(200);
    expect(await (await fetch(`${stack.url}/config.json`)).json()).toEqual({ mode: 'token' });
    expect((await api('GET', '/clusters', undefined, { token: null })).status).toBe(401);
    expect((await api('GET', '/local/access', undefined, { token: null })).status).toBe(401);
    expect((await api('GET', '/local/access', undefined, { token: VIEWER })).body).toEqual({ name: 'viewer', access: 'read' });
  });

  it("shows a node's failed Job as a banner naming the node and the remedy", async () => {
    const registered = await api('POST', '/clusters', { name: 'lab', kubeconfig: await readFile(lab.kubeconfigPath, 'utf8') });
    expect(registered.status).toBe(201);
    await annotateNode(lab, 'master-1', { 'kupgrade.io/sim-fail-upgrade': 'true' });
    const { context, page, requests } = await openContext();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    await page.goto(`${stack.url}/#/clusters/lab`);
    await page.getByRole('heading', { name: /Cluster lab/ }).waitFor();
    await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const banner = page.locator('.banner');
    await banner.waitFor({ timeout: 60_000 });
    const id = /upgrades\/([^/]+)$/.exec(page.url())![1]!;
    const upgrade = (await api('GET', `/clusters/lab/upgrades/${id}`)).body;
    expect(upgrade.status).toBe('paused');
    expect(upgrade.error.node).toBe('master-1');
    await expect(banner.textContent()).resolves.toContain('master-1');
    await expect(banner.textContent()).resolves.toContain(upgrade.error.remedy);
    await expect(page.getByRole('button', { name: 'Resume' }).isEnabled()).resolves.toBe(true);
    // the drain forecast names the node a resume starts; a budget that allows nothing on it shows up as what the drain would wait on
    await page.getByText(/Next: masters batch 1, master-1/).waitFor();
    await shot(page, 'upgrade-failed');
    await expectAccessible(page);
    await pinUnevictablePod(lab, 'master-1');
    await page.reload();
    await page.getByText('poddisruptionbudget/default/pinned-never: allows 0, holds default/pinned').waitFor();
    await expect(page.getByRole('row').filter({ hasText: 'default/pinned' }).textContent()).resolves.toContain('none (a bare pod');
    await shot(page, 'upgrade-drain-forecast');
    await expectAccessible(page);
    expectSameOrigin(requests);
    await context.close();
  });

  it('with the read-only token given to the login form: the buttons are disabled, a forced change is 403, the store is unchanged', async () => {
    const { context, page, requests } = await openContext();
    // no link this time: the login form takes the token (a wrong one first, which it refuses)
    await page.goto(`${stack.url}/`);
    await page.getByLabel('Token').fill('not-a-token-of-this-stack');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not one this stack accepts' }).waitFor();
    await page.getByLabel('Token').fill(VIEWER);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    await expect(page.getByText('read-only').isVisible()).resolves.toBe(true);
    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByRole('heading', { name: /Cluster demo/ }).waitFor();
    // demo offers a version: the operator could run a check and upgrade; the viewer may not
    await expect(page.getByRole('button', { name: 'Run upgrade check' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Upgrade', exact: true }).isDisabled()).resolves.toBe(true);
    const paused = (await api('GET', '/clusters/lab/upgrades')).body.upgrades[0];
    expect(paused.actions).toMatchObject({ resume: true, cancel: true });
    await page.goto(`${stack.url}/#/clusters/lab/upgrades/${paused.id}`);
    await page.locator('.banner').waitFor();
    for (const name of ['Pause', 'Resume', 'Cancel']) await expect(page.getByRole('button', { name }).isDisabled()).resolves.toBe(true);
    await shot(page, 'upgrade-read-only');
    const before = await scanAll(stack.db);
    const forced = await page.evaluate(
      async ([path, token]) => {
        const r = await fetch(path!, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
        return { status: r.status, body: (await r.json()) as { error: { code: string } } };
      },
      [`/clusters/lab/upgrades/${paused.id}/resume`, VIEWER],
    );
    expect(forced).toMatchObject({ status: 403, body: { error: { code: 'Forbidden' } } });
    expect(await scanAll(stack.db)).toEqual(before);
    expectSameOrigin(requests);
    await context.close();
  });

  it('opens the printed link, checks, upgrades, pauses, resumes to succeeded', async () => {
    const { context, page, requests } = await openContext();
    await page.goto(link);
    // the token leaves the address bar as soon as the page has it
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    expect(page.url()).not.toContain('token');
    const demoRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'demo' }) });
    await expect(demoRow.textContent()).resolves.toContain(`upgrade available: ${TARGET}`);
    await shot(page, 'clusters');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByRole('heading', { name: /Cluster demo/ }).waitFor();
    await page.getByRole('row').filter({ hasText: 'master-1' }).first().waitFor();
    await page.getByRole('button', { name: 'Run upgrade check' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: `The plan, before anything moves` }).waitFor({ timeout: 60_000 });
    await expect(page.locator('.report h3').first().textContent()).resolves.toMatch(new RegExp(`for ${TARGET.replace(/\./g, '\\.')}: passed`));
    await shot(page, 'cluster-checked');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.locator('h1', { hasText: /master [123] of 3/ }).waitFor({ timeout: 60_000 });
    const first = await nodesUpgraded(page);
    await until(
      () => nodesUpgraded(page),
      (n) => n > first,
      60_000,
      200,
    );
    // while masters and workers are left, the forecast names a batch to come (read again as the upgrade moves)
    await page.getByText(/^Next: (masters|nodes) batch \d+, /).waitFor();
    await shot(page, 'upgrade-running');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.locator('h1', { hasText: /^Paused / }).waitFor({ timeout: 60_000 });
    await page.getByText(/closes in 14 d 23 h/).waitFor();
    await expect(page.getByRole('button', { name: 'Pause' }).isDisabled()).resolves.toBe(true);
    await shot(page, 'upgrade-paused');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.locator('.count', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
    await expect(page.locator('.count').textContent()).resolves.toContain('9 of 9 nodes upgraded');
    await shot(page, 'upgrade-succeeded');
    await expectAccessible(page);
    expectSameOrigin(requests);
    await context.close();
  });
});
