/** Debian's Chromium driven by playwright-core, with a fake camera playing a y4m file. */
import { existsSync, rmSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN, type TestServer } from './server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium({ cameraFile }: { cameraFile?: string } = {}): Promise<Browser> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	}
	const args = [
		'--no-sandbox',
		'--disable-gpu',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--no-first-run',
		'--disable-dev-shm-usage',
		// Host candidates as plain IPs: the Node recognizer cannot resolve mDNS names.
		'--disable-features=WebRtcHideLocalIpsWithMdns',
		'--use-fake-ui-for-media-stream'
	];
	if (cameraFile) args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${cameraFile}`);
	return chromium.launch({ executablePath: CHROMIUM, args });
}

/** A browser test's afterAll: closes the browser, stops the server and removes the clip's folder, whichever it got to open. */
export async function closeScene({ browser, server, clipDir }: { browser?: Browser; server?: TestServer; clipDir?: string | undefined }): Promise<void> {
	await browser?.close();
	await server?.stop();
	if (clipDir) rmSync(clipDir, { recursive: true, force: true });
}

/**
 * Pairs a page or a whole context as the People page would: the tokens go in localStorage before
 * any page script runs, on every navigation. `admin` defaults to the test servers' admin token.
 */
export async function storeTokens(
	target: Page | BrowserContext,
	{ admin = TEST_ADMIN_TOKEN, recognize }: { admin?: string | null; recognize?: string } = {}
): Promise<void> {
	await target.addInitScript(
		([a, r]) => {
			if (a) localStorage.setItem('facertc.adminToken', a);
			if (r) localStorage.setItem('facertc.recognizeToken', r);
		},
		[admin, recognize ?? null] as const
	);
}
