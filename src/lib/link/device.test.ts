import { describe, expect, it } from 'vitest';
import { cleanDeviceName, parseDevice } from '../protocol/device.ts';
import { DEVICE_ID_KEY, browserLabel, deviceIdentity, thisDevice, type IdStore } from './device.ts';

// Real user-agent strings, as the browsers send them (Chromium's reduced form where it has one).
const UA = {
	chromeAndroid: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
	samsung: 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
	safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
	chromeIphone:
		'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
	firefoxIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15',
	safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
	firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
	firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0',
	edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
	operaWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0',
	chromeOs: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
};

describe('browserLabel', () => {
	it('names the browser and the system from the user-agent string', () => {
		expect(browserLabel({ userAgent: UA.chromeAndroid })).toBe('Chrome on Android');
		expect(browserLabel({ userAgent: UA.samsung })).toBe('Samsung Internet on Android');
		expect(browserLabel({ userAgent: UA.safariIphone })).toBe('Safari on iPhone');
		expect(browserLabel({ userAgent: UA.chromeIphone })).toBe('Chrome on iPhone');
		expect(browserLabel({ userAgent: UA.firefoxIphone })).toBe('Firefox on iPhone');
		expect(browserLabel({ userAgent: UA.safariMac })).toBe('Safari on Mac');
		expect(browserLabel({ userAgent: UA.firefoxLinux })).toBe('Firefox on Linux');
		expect(browserLabel({ userAgent: UA.firefoxAndroid })).toBe('Firefox on Android');
		expect(browserLabel({ userAgent: UA.edgeWindows })).toBe('Edge on Windows');
		expect(browserLabel({ userAgent: UA.operaWindows })).toBe('Opera on Windows');
		expect(browserLabel({ userAgent: UA.chromeOs })).toBe('Chrome on ChromeOS');
	});

	it('tells an iPad, whose Safari says Macintosh, by its touch screen', () => {
		expect(browserLabel({ userAgent: UA.safariMac, touchPoints: 5 })).toBe('Safari on iPad');
		expect(browserLabel({ userAgent: UA.safariMac, touchPoints: 0 })).toBe('Safari on Mac');
	});

	it('prefers userAgentData’s brand, past Chromium and the made-up brands', () => {
		const brands = (...names: string[]) => names.map((brand) => ({ brand }));
		expect(
			browserLabel({ userAgentData: { brands: brands('Not/A)Brand', 'Chromium', 'Google Chrome'), platform: 'Android' }, userAgent: UA.chromeAndroid })
		).toBe('Chrome on Android');
		expect(browserLabel({ userAgentData: { brands: brands('Microsoft Edge', 'Not;A=Brand', 'Chromium'), platform: 'Windows' } })).toBe('Edge on Windows');
		expect(browserLabel({ userAgentData: { brands: brands('Chromium', 'Not_A Brand'), platform: 'Linux' } })).toBe('Chromium on Linux');
		expect(browserLabel({ userAgentData: { brands: brands('Google Chrome'), platform: 'macOS' } })).toBe('Chrome on Mac');
		// A brand it does not know: the user-agent string says which Chromium it is.
		expect(browserLabel({ userAgentData: { brands: brands('Not A(Brand', 'Chromium', 'Whale') }, userAgent: UA.edgeWindows })).toBe('Chromium on Windows');
	});

	it('says what it knows when one part is unknown', () => {
		expect(browserLabel({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) SomeBrowser/1.0' })).toBe('Browser on Linux');
		expect(browserLabel({ userAgent: 'Firefox/127.0' })).toBe('Firefox');
		expect(browserLabel({ userAgent: '' })).toBe('Unknown browser');
		expect(browserLabel({})).toBe('Unknown browser');
	});

	it('gives labels the server keeps as they are', () => {
		for (const userAgent of Object.values(UA)) {
			const label = browserLabel({ userAgent });
			expect(cleanDeviceName(label)).toBe(label);
		}
	});
});

function memoryStore(initial: Record<string, string> = {}): IdStore & { data: Record<string, string> } {
	const data = { ...initial };
	return { data, getItem: (key) => data[key] ?? null, setItem: (key, value) => void (data[key] = value) };
}

const counting = () => {
	let n = 0;
	return (bytes: Uint8Array) => bytes.fill(++n);
};

describe('deviceIdentity', () => {
	it('makes an id once and gives the same one on every load after', () => {
		const store = memoryStore();
		const random = counting();
		const id = deviceIdentity(store, random);
		expect(id).toBe('01'.repeat(16));
		expect(store.data[DEVICE_ID_KEY]).toBe(id);
		expect(deviceIdentity(store, random)).toBe(id);
		expect(parseDevice({ deviceId: id })).toEqual({ id, name: null });
	});

	it('replaces a kept value of another form, and still gives an id when storage refuses', () => {
		const store = memoryStore({ [DEVICE_ID_KEY]: 'not-an-id' });
		expect(deviceIdentity(store, counting())).toBe('01'.repeat(16));
		expect(store.data[DEVICE_ID_KEY]).toBe('01'.repeat(16));
		const refusing: IdStore = {
			getItem: () => {
				throw new Error('SecurityError');
			},
			setItem: () => {
				throw new Error('QuotaExceededError');
			}
		};
		expect(deviceIdentity(refusing, counting())).toBe('01'.repeat(16));
		expect(deviceIdentity(null, counting())).toMatch(/^[0-9a-f]{32}$/);
	});
});

describe('thisDevice', () => {
	it('never throws where there is no window or navigator (PeerLink runs in Node in the integration tests)', () => {
		const device = thisDevice();
		expect(parseDevice(device)).toEqual({ id: device.deviceId, name: expect.any(String) });
	});
});
