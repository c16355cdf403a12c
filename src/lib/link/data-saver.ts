/**
 * The data saver setting: whether it starts on, and keeping the user's choice. Pure but for
 * `browserStore` and `browserConnection`, the page's readers of storage and `navigator.connection`.
 */
export const DATA_SAVER_KEY = 'facertc.dataSaver';

/** What the Network Information API says, where the browser has it. */
export type ConnectionHint = { saveData?: boolean; effectiveType?: string };
export type SettingStore = Pick<Storage, 'getItem' | 'setItem'>;

const SLOW_LINKS = ['slow-2g', '2g', '3g'];

/**
 * Data saver starts on when the page is opened with `?saver=1` (`?saver=0`: off), for this visit
 * only; otherwise as the user last chose it; otherwise when the browser asks to save data or
 * reports a 2G/3G link.
 */
export function initialDataSaver({
	query,
	store,
	connection
}: {
	query: URLSearchParams;
	store: SettingStore | null;
	connection: ConnectionHint | undefined;
}): boolean {
	if (query.has('saver')) return query.get('saver') === '1';
	const stored = readStore(store);
	if (stored !== null) return stored === 'on';
	return Boolean(connection?.saveData) || SLOW_LINKS.includes(connection?.effectiveType ?? '');
}

/** Keeps the user's choice for later visits; a store that refuses (private mode, quota) is ignored. */
export function rememberDataSaver(store: SettingStore | null, on: boolean): void {
	try {
		store?.setItem(DATA_SAVER_KEY, on ? 'on' : 'off');
	} catch {
		// Not kept: the setting still applies to this visit.
	}
}

function readStore(store: SettingStore | null): string | null {
	try {
		return store?.getItem(DATA_SAVER_KEY) ?? null;
	} catch {
		return null;
	}
}

/** The browser's local storage, or null where touching it throws (storage disabled). */
export function browserStore(): SettingStore | null {
	try {
		return window.localStorage;
	} catch {
		return null;
	}
}

export function browserConnection(): ConnectionHint | undefined {
	return (navigator as Navigator & { connection?: ConnectionHint }).connection;
}
