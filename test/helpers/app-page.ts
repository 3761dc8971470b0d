/** The app as a user sees it in the tests: the web host on a data directory, opened in Debian's Chromium. */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { startWebHostProcess, type WebHostProcess } from './web-host-process.ts';

/** An open page on a running web host; `close` stops both. */
export interface AppPage {
  page: Page;
  host: WebHostProcess;
  close(): Promise<void>;
}

/**
 * Starts the web host on `home`, opens it in a new Chromium page (viewport, time zone as given) and records every
 * uncaught page error into `errors`, which tests expect to stay empty.
 */
export async function openAppPage(
  home: string,
  options: Pick<BrowserContextOptions, 'viewport' | 'timezoneId'>,
  errors: string[],
): Promise<AppPage> {
  const host = await startWebHostProcess(home);
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage(options);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    const opened = browser;
    return {
      page,
      host,
      close: async () => {
        await opened.close();
        await host.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await host.stop();
    throw err;
  }
}
