/**
 * This device as the People page names it (see protocol/device.ts): a random id kept in local
 * storage (made on the first visit, the same on every load after) and a short label read from
 * the browser, sent in the PeerJS connect metadata. `browserLabel` and `deviceIdentity` are pure;
 * `thisDevice` reads the browser.
 */
import { DEVICE_ID_PATTERN, type DeviceMetadata } from '../protocol/device.ts';

export const DEVICE_ID_KEY = 'facertc.deviceId';

/** `navigator.userAgentData` (Chromium browsers only, secure pages only): the parts used here. */
export type UserAgentData = { brands?: ReadonlyArray<{ brand: string }>; mobile?: boolean; platform?: string };

/** Local storage, or what stands in for it. */
export type IdStore = { getItem(key: string): string | null; setItem(key: string, value: string): void };

const BRANDS: ReadonlyArray<[RegExp, string]> = [
	[/^Microsoft Edge$/, 'Edge'],
	[/^Google Chrome$/, 'Chrome'],
	[/^Opera$/, 'Opera'],
	[/^Samsung Internet$/, 'Samsung Internet'],
	[/^Brave$/, 'Brave'],
	[/^Vivaldi$/, 'Vivaldi'],
	[/^YaBrowser$/, 'Yandex Browser']
];

const PLATFORMS: Readonly<Record<string, string>> = { macOS: 'Mac', 'Chrome OS': 'ChromeOS', 'Chromium OS': 'ChromeOS' };

/** From the user-agent string: the first test that matches names the browser; order matters (Edge's string says Chrome and Safari too). */
const UA_BROWSERS: ReadonlyArray<[RegExp, string]> = [
	[/\bEdg(?:e|A|iOS)?\//, 'Edge'],
	[/\b(?:OPR|OPiOS|OPT)\//, 'Opera'],
	[/\bSamsungBrowser\//, 'Samsung Internet'],
	[/\bYaBrowser\//, 'Yandex Browser'],
	[/\b(?:Firefox|FxiOS)\//, 'Firefox'],
	[/\bCriOS\//, 'Chrome'],
	[/\bChromium\//, 'Chromium'],
	[/\bChrome\//, 'Chrome'],
	[/\bVersion\/[\d.]+.*\bSafari\//, 'Safari']
];

const UA_SYSTEMS: ReadonlyArray<[RegExp, string]> = [
	[/\biPhone\b/, 'iPhone'],
	[/\biPad\b/, 'iPad'],
	[/\biPod\b/, 'iPod'],
	[/\bAndroid\b/, 'Android'],
	[/\bCrOS\b/, 'ChromeOS'],
	[/\bWindows\b/, 'Windows'],
	[/\bMac OS X\b|\bMacintosh\b/, 'Mac'],
	[/\bLinux\b/, 'Linux']
];

const first = (pairs: ReadonlyArray<[RegExp, string]>, text: string) => pairs.find(([test]) => test.test(text))?.[1] ?? null;

/** The browser's own brand: not Chromium (every Chromium browser lists it) nor the made-up "Not A;Brand" kind. */
function brandOf(brands: ReadonlyArray<{ brand: string }>): string | null {
	const names = brands.map((b) => b.brand);
	for (const name of names) {
		const known = first(BRANDS, name);
		if (known) return known;
	}
	return names.includes('Chromium') ? 'Chromium' : null;
}

/**
 * "Chrome on Android", "Safari on iPhone", "Firefox on Linux": the browser and the system it runs
 * on, from `userAgentData` where the browser gives it (Chromium), else from the user-agent string.
 * Just the browser, or "Browser on …", where one part is unknown. `touchPoints`
 * (`navigator.maxTouchPoints`) tells an iPad, whose Safari says "Macintosh", from a Mac. Pure.
 */
export function browserLabel({
	userAgentData,
	userAgent = '',
	touchPoints = 0
}: {
	userAgentData?: UserAgentData | undefined;
	userAgent?: string;
	touchPoints?: number;
}): string {
	const fromData = userAgentData?.brands ? brandOf(userAgentData.brands) : null;
	const browser = fromData ?? first(UA_BROWSERS, userAgent);
	// The UA string tells iPhone from iPad (userAgentData says only "iOS", where it exists at all).
	const platform = userAgentData?.platform ? (PLATFORMS[userAgentData.platform] ?? userAgentData.platform) : null;
	const named = first(UA_SYSTEMS, userAgent);
	const system = named === 'Mac' && touchPoints > 1 ? 'iPad' : (named ?? platform);
	if (browser && system) return `${browser} on ${system}`;
	if (browser) return browser;
	return system ? `Browser on ${system}` : 'Unknown browser';
}

/** 32 lowercase hex digits from 16 random bytes. */
export const newDeviceId = (random: (bytes: Uint8Array) => Uint8Array) =>
	Array.from(random(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The id kept in `store`, made (with `random`) and kept on the first call. A store that refuses
 * (storage disabled, private mode) still gets an id, this load's only. A kept value of another
 * form is replaced.
 */
export function deviceIdentity(store: IdStore | null, random: (bytes: Uint8Array) => Uint8Array): string {
	let kept: string | null = null;
	try {
		kept = store?.getItem(DEVICE_ID_KEY) ?? null;
	} catch {
		// Unreadable: made anew below.
	}
	if (kept && DEVICE_ID_PATTERN.test(kept)) return kept;
	const id = newDeviceId(random);
	try {
		store?.setItem(DEVICE_ID_KEY, id);
	} catch {
		// Not kept: this load still has an id.
	}
	return id;
}

/**
 * This browser's device id and label, for the connect metadata. Never throws: without storage
 * (disabled, or Node, where tests run PeerLink) the id is this call's only; without `navigator`
 * the label says so.
 */
export function thisDevice(): DeviceMetadata {
	let store: IdStore | null = null;
	try {
		store = window.localStorage;
	} catch {
		// Storage disabled, or no window at all.
	}
	const nav = (globalThis as { navigator?: Navigator & { userAgentData?: UserAgentData } }).navigator;
	return {
		deviceId: deviceIdentity(store, (bytes) => crypto.getRandomValues(bytes)),
		deviceName: browserLabel({ userAgentData: nav?.userAgentData, userAgent: nav?.userAgent ?? '', touchPoints: nav?.maxTouchPoints ?? 0 })
	};
}
