// Runs a benchmark page in headless Chromium and prints what it reports.
// The page sets window.benchResult (an object) or window.benchError (a string).
import { open } from '../e2e/browser.mjs';

const url = process.argv[2];
const { context, page, problems } = await open();
try {
  await page.goto(url);
  await page.waitForFunction(() => window.benchResult || window.benchError, null, { timeout: 300000 });
  const error = await page.evaluate(() => window.benchError);
  if (error) throw new Error(error);
  const result = await page.evaluate(() => window.benchResult);
  result.cross_origin_isolated = await page.evaluate(() => self.crossOriginIsolated);
  if (problems.length) throw new Error(problems.join('\n'));
  console.log(JSON.stringify(result));
} finally {
  await context.close();
}
