import { describe, expect, it } from 'vitest';
import { DATA_SAVER_KEY, initialDataSaver, rememberDataSaver, type SettingStore } from './data-saver.ts';

function memoryStore(initial: Record<string, string> = {}): SettingStore & { values: Record<string, string> } {
	const values = { ...initial };
	return { values, getItem: (k) => values[k] ?? null, setItem: (k, v) => void (values[k] = v) };
}
const refusing: SettingStore = {
	getItem: () => {
		throw new Error('SecurityError');
	},
	setItem: () => {
		throw new Error('QuotaExceededError');
	}
};
const q = (s = '') => new URLSearchParams(s);

describe('data saver', () => {
	it('is off by default on a fast link', () => {
		expect(initialDataSaver({ query: q(), store: memoryStore(), connection: { effectiveType: '4g' } })).toBe(false);
		expect(initialDataSaver({ query: q(), store: memoryStore(), connection: undefined })).toBe(false);
	});

	it('starts on when the browser asks to save data or the link is 2G/3G', () => {
		expect(initialDataSaver({ query: q(), store: memoryStore(), connection: { saveData: true, effectiveType: '4g' } })).toBe(true);
		for (const effectiveType of ['slow-2g', '2g', '3g']) {
			expect(initialDataSaver({ query: q(), store: memoryStore(), connection: { effectiveType } })).toBe(true);
		}
	});

	it("keeps the user's choice over the browser's hint", () => {
		const store = memoryStore();
		rememberDataSaver(store, false);
		expect(store.values[DATA_SAVER_KEY]).toBe('off');
		expect(initialDataSaver({ query: q(), store, connection: { saveData: true } })).toBe(false);
		rememberDataSaver(store, true);
		expect(initialDataSaver({ query: q(), store, connection: { effectiveType: '4g' } })).toBe(true);
	});

	it('lets ?saver=1|0 decide for this visit', () => {
		const store = memoryStore({ [DATA_SAVER_KEY]: 'off' });
		expect(initialDataSaver({ query: q('saver=1'), store, connection: undefined })).toBe(true);
		expect(initialDataSaver({ query: q('saver=0'), store: memoryStore({ [DATA_SAVER_KEY]: 'on' }), connection: { saveData: true } })).toBe(false);
	});

	it('works without storage, or with one that throws', () => {
		expect(initialDataSaver({ query: q(), store: null, connection: { effectiveType: '2g' } })).toBe(true);
		expect(initialDataSaver({ query: q(), store: refusing, connection: undefined })).toBe(false);
		expect(() => rememberDataSaver(refusing, true)).not.toThrow();
	});
});
