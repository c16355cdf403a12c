/** Debian's Chromium driven by playwright-core, with a fake camera playing a y4m file. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
