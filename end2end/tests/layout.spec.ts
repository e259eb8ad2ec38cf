import { test, expect, hydrated } from './fixtures';

// Every page fits the window at a laptop's and a phone's width: nothing scrolls the whole page
// sideways. Wide tables scroll inside their own container on purpose; that is allowed, the
// page itself is not. The server under test serves the bundled demo.

const PAGES = [
  '/',
  '/catalog',
  '/catalog/feature-views',
  '/catalog/data-sources',
  '/search?q=driver',
  '/registries/demo/projects/driver_ranking',
  '/registries/demo/projects/driver_ranking/feature-views/driver_hourly_stats',
  '/permissions',
  '/permissions?registry=demo&project=driver_ranking',
  '/permissions/edit',
  '/permissions/edit?registry=demo&project=driver_ranking&name=ranking_readers',
  '/permissions/audit',
  '/topology',
  '/topology/feast-system/shared-registry',
  '/cache',
  '/cache/feast-system/shared-registry',
  '/recovery',
  '/recovery/feast-system/shared-registry',
];

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport });
    for (const path of PAGES) {
      test(`${path} has no page-level horizontal scroll`, async ({ page, problems }) => {
        await page.goto(path);
        await hydrated(page);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        const size = await page.evaluate(() => ({
          scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
          innerWidth: window.innerWidth,
          // What sticks out, for the failure message.
          wide: Array.from(document.querySelectorAll('body *'))
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
        }));
        expect(size.scrollWidth, `${path} is wider than the window: ${size.wide.join(', ')}`)
          .toBeLessThanOrEqual(size.innerWidth);
      });
    }
  });
}

test('the registry-cache table shows its recommendation column whole at 1280 px', async ({ page, problems }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/cache');
  await hydrated(page);
  const table = page.locator('table.cache-table').first();
  const header = table.getByRole('columnheader', { name: 'Recommendation' });
  await expect(header).toBeVisible();
  // The table fits its container: no column is cut off at the right edge.
  const fits = await table.evaluate((t) => {
    const box = t.getBoundingClientRect();
    const parent = (t.parentElement as HTMLElement).getBoundingClientRect();
    return box.right <= parent.right + 1;
  });
  expect(fits, 'the cache table is wider than its container').toBe(true);
});
