/**
 * What the People page shows: the people, the server's gallery settings, and whether it needs
 * the admin token. Every call goes through `run`, which turns a 401 into a token prompt, a server
 * that cannot be reached into the offline state (retried by itself until it answers), and any
 * other failure into one message. Face deletes wait for an Undo window (deferred-delete.ts).
 */
import { api, ApiError, getToken, type Doubt, type Person, type Settings } from '../api.ts';
import { sameName } from '../protocol/names.ts';
import { createDeferredDeletes, type DeferredDeletes } from './deferred-delete.ts';
import { createReconnect, type Reconnect } from './reconnect.ts';

/**
 * A question about faces to enrol: the doubt, what the faces are (a file name, "the camera
 * pictures"), and the pictures themselves, for the user to compare.
 */
export type PendingConflict = { doubt: Doubt; what: string; pictures: readonly Blob[]; answer(enrol: boolean): void };

/** A face delete waiting for its Undo window. */
export type PendingDelete = { personId: string; faceId: string; label: string };

export class GalleryStore {
	people = $state<Person[]>([]);
	settings = $state<Settings | null>(null);
	/** The last failure, for the page to show; cleared by the next success. */
	error = $state<string | null>(null);
	/** The server refused the stored admin token (or there is none). */
	needToken = $state(false);
	/** The server doubts a new face (somebody else's, or unlike the others): the page asks the user. */
	conflict = $state<PendingConflict | null>(null);
	/** A first answer came (or the first try failed): the page no longer says "Loading…". */
	loaded = $state(false);
	/** The server could not be reached on the last try; the page retries by itself. */
	offline = $state(false);
	/** When the people list was last read from the server (ms), for "as of" while offline. */
	fetchedAt = $state<number | null>(null);
	/** Grows with every successful reload: open panels reload what they show. */
	revision = $state(0);
	/** Face deletes that can still be undone, newest last. */
	pendingDeletes = $state.raw<PendingDelete[]>([]);

	readonly #reconnect: Reconnect;
	readonly #deletes: DeferredDeletes<PendingDelete>;

	constructor() {
		this.#reconnect = createReconnect({
			attempt: async () => {
				await this.refresh();
				return !this.offline;
			},
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
		});
		this.#deletes = createDeferredDeletes<PendingDelete>({
			commit: ({ personId, faceId }, { leaving }) => api.deleteFace(personId, faceId, { keepalive: leaving }),
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
			now: () => performance.now(),
			onChange: (pending, failed) => {
				this.pendingDeletes = [...pending];
				if (failed) this.fail(failed.error);
				// The deleted face is gone from the counts, or back in the list.
				if (!pending.length || failed) void this.refresh();
			}
		});
	}

	/** Whether changes will be accepted with what is stored (as far as the server said). */
	get canChange(): boolean {
		return !this.offline && this.settings !== null && !this.needToken;
	}

	/** Reloads settings and people. Keeps the current error message unless the reload fails. */
	async refresh(): Promise<void> {
		try {
			// Read apart: the settings answer without the admin token, the people do not, and a device
			// without it must still learn what the server needs (the token forms, locked controls).
			const [settings, people] = await Promise.allSettled([api.settings(), api.listPeople()]);
			if (settings.status === 'rejected') throw settings.reason;
			this.settings = settings.value;
			this.needToken = settings.value.adminTokenRequired && !settings.value.authorized;
			if (people.status === 'fulfilled') {
				this.people = people.value;
				this.fetchedAt = Date.now();
			} else if (this.needToken && people.reason instanceof ApiError && people.reason.status === 401) {
				this.people = [];
				this.fetchedAt = null;
			} else throw people.reason;
			this.revision++;
			if (this.offline) {
				this.offline = false;
				this.error = null;
			}
		} catch (err) {
			this.fail(err);
		} finally {
			this.loaded = true;
		}
	}

	/**
	 * Watches the network for the page's lifetime: back online or back to the front, it tries at
	 * once. Returns the stop function (carrying out pending deletes, as the page is being left).
	 */
	watch(): () => void {
		const now = () => this.#reconnect.now();
		const visible = () => document.visibilityState === 'visible' && now();
		const leaving = () => void this.#deletes.flush({ leaving: true });
		window.addEventListener('online', now);
		document.addEventListener('visibilitychange', visible);
		window.addEventListener('pagehide', leaving);
		return () => {
			window.removeEventListener('online', now);
			document.removeEventListener('visibilitychange', visible);
			window.removeEventListener('pagehide', leaving);
			this.#reconnect.stop();
			leaving();
		};
	}

	/** Runs `fn`; on failure records the message (a 401 also asks for the token) and returns undefined. */
	async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
		try {
			const result = await fn();
			this.error = null;
			return result;
		} catch (err) {
			this.fail(err);
			return undefined;
		}
	}

	fail(err: unknown): void {
		if (err instanceof ApiError && err.code === 'offline') {
			this.offline = true;
			this.error = null;
			this.#reconnect.lost();
		} else if (err instanceof ApiError && err.status === 401) {
			this.needToken = true;
			this.error = getToken() ? 'The server refused the admin token.' : 'This server needs the admin token for that.';
		} else {
			this.error = (err as Error).message;
		}
	}

	/** Resolves true when the user chooses to enrol the faces anyway. */
	askConflict(doubt: Doubt, what: string, pictures: readonly Blob[]): Promise<boolean> {
		return new Promise((resolve) => {
			this.conflict = {
				doubt,
				what,
				pictures,
				answer: (enrol) => {
					this.conflict = null;
					resolve(enrol);
				}
			};
		});
	}

	/** Hides the face now and deletes it once the Undo window has passed. */
	deleteFace(face: PendingDelete): void {
		this.#deletes.remove(face);
	}

	undoDelete(faceId: string): void {
		const pending = this.pendingDeletes.find((p) => p.faceId === faceId);
		if (pending) this.#deletes.undo(pending);
	}

	/** The user is at the Undo offer (pointer or focus on it): its window stands still meanwhile. */
	holdDeletes(held: boolean): void {
		this.#deletes.hold(held);
	}

	isDeleting(faceId: string): boolean {
		return this.pendingDeletes.some((p) => p.faceId === faceId);
	}

	/** The person a typed name refers to (the same name by the server's rule: case, width, joiners, spaces), if any. */
	personNamed(name: string): Person | undefined {
		return name.trim() ? sameName(this.people, name) : undefined;
	}
}
