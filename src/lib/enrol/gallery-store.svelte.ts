/**
 * What the People page shows: the people, the server's gallery settings, and whether it needs
 * the admin token. Every call goes through `run`, which turns a 401 into a token prompt, a server
 * that cannot be reached into the offline state (retried by itself until it answers), and any
 * other failure into one message. Face deletes wait for an Undo window (deferred-delete.ts).
 *
 * People come a page at a time (GET /api/people?limit=…): the first ROWS_AT_ONCE, more on request.
 * A gallery held whole (it fitted, or every page was asked for) is searched here, as before
 * paging; a larger one is searched by the server (`?q=`, the same rule), once typing pauses.
 */
import { api, ApiError, getToken, type Doubt, type PeoplePage, type Person, type Settings } from '../api.ts';
import { sameName } from '../protocol/names.ts';
import { searchPeople } from '../protocol/people-page.ts';
import { createDeferredDeletes, type DeferredDeletes } from './deferred-delete.ts';
import { createLatestRequest, type LatestRequest } from './latest-request.ts';
import { NAME_SUGGESTIONS, ROWS_AT_ONCE, SEARCH_DELAY_MS } from './people-search.ts';
import { appendRows, readRows } from './people-pages.ts';
import { createReconnect, type Reconnect } from './reconnect.ts';

/** What the server answered for a search: its rows so far, all matches, the next page. */
export type Found = { query: string; people: Person[]; total: number; next: string | null };

/**
 * A question about faces to enrol: the doubt, what the faces are (a file name, "the camera
 * pictures"), and the pictures themselves, for the user to compare.
 */
export type PendingConflict = { doubt: Doubt; what: string; pictures: readonly Blob[]; answer(enrol: boolean): void };

/** A face delete waiting for its Undo window. */
export type PendingDelete = { personId: string; faceId: string; label: string };

export class GalleryStore {
	/** The people listed so far, in the list's order: the first pages of everyone. */
	people = $state.raw<Person[]>([]);
	/** Everyone in the gallery, and all their faces (the server's counts, not of `people`). */
	total = $state(0);
	faces = $state(0);
	/** Where the next page of everyone starts; null once `people` holds everyone. */
	next = $state<string | null>(null);
	/** The search box. */
	query = $state('');
	/** The server's answer to `query` (a gallery not held whole), or null. */
	found = $state.raw<Found | null>(null);
	/** A search waits for typing to pause, or is on its way. */
	searching = $state(false);
	/** A further page is on its way. */
	loadingMore = $state(false);
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
	readonly #search: LatestRequest<{ query: string; rows: number }>;
	/** Grows with every reload of the list: a further page asked for before it is dropped. */
	#generation = 0;

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
		this.#search = createLatestRequest({
			run: ({ query, rows }, signal) => readRows(api.peoplePage, { q: query, rows, pageRows: ROWS_AT_ONCE, signal }),
			onAnswer: (page, { query }) => {
				this.found = { query, people: page.people, total: page.total, next: page.next };
				this.searching = false;
			},
			onError: (err) => {
				this.searching = false;
				if (!(err instanceof ApiError && err.code === 'aborted')) this.fail(err);
			},
			delayMs: SEARCH_DELAY_MS,
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
		});
	}

	/** `people` holds everyone: searches and name checks are made here, as before paging. */
	get complete(): boolean {
		return this.next === null;
	}

	/**
	 * Whether what `query` finds is the server's to say (a gallery not held whole, something typed).
	 * Not while offline: the rows listed are searched here meanwhile, rather than "Searching…" for ever.
	 */
	get remote(): boolean {
		return !this.complete && !this.offline && this.query.trim() !== '';
	}

	/** Sets the search; a gallery not held whole asks the server once typing pauses. */
	search(query: string): void {
		const same = this.query.trim() === query.trim();
		this.query = query;
		if (same && (this.searching || this.found)) return;
		if (!this.remote) {
			this.#search.cancel();
			this.found = null;
			this.searching = false;
			return;
		}
		this.searching = true;
		this.#search.ask({ query, rows: ROWS_AT_ONCE });
	}

	/** The next page of everyone, or of the search. */
	async more(): Promise<void> {
		const found = this.remote ? this.found : null;
		const next = found ? found.next : this.next;
		if (!next || this.loadingMore) return;
		const generation = this.#generation;
		this.loadingMore = true;
		try {
			const page = await this.run(() => api.peoplePage({ next }));
			if (!page || generation !== this.#generation) return;
			if (found) {
				if (this.found === found) this.found = { ...found, people: appendRows(found.people, page.people), total: page.total, next: page.next };
			} else {
				this.people = appendRows(this.people, page.people);
				this.total = page.total;
				this.next = page.next;
				if (page.faces !== null) this.faces = page.faces;
			}
		} finally {
			this.loadingMore = false;
		}
	}

	/** People whose names hold what is typed (at most NAME_SUGGESTIONS), when `people` holds everyone; else null: ask `findMatches`. */
	matchesHere(typed: string): Person[] | null {
		return this.complete ? searchPeople(this.people, typed).slice(0, NAME_SUGGESTIONS) : null;
	}

	/**
	 * The same from the server (a gallery not held whole), with the person of exactly that name
	 * first when there is one: the first NAME_SUGGESTIONS matches, in list order, may not hold "Li"
	 * among sixty "Ali"s, and the enrol form must know that Li exists. `signal` cancels it.
	 */
	async findMatches(typed: string, signal: AbortSignal): Promise<Person[]> {
		const [page, exact] = await Promise.all([
			api.peoplePage({ limit: NAME_SUGGESTIONS, q: typed }, { signal }),
			typed.trim() ? api.personNamed(typed, { signal }) : null
		]);
		return exact ? [exact, ...page.people.filter((p) => p.id !== exact.id)] : page.people;
	}

	/** Whether changes will be accepted with what is stored (as far as the server said). */
	get canChange(): boolean {
		return !this.offline && this.settings !== null && !this.needToken;
	}

	/**
	 * Reloads settings and the people shown (as many rows as were listed, of everyone and of the
	 * search). Keeps the current error message unless the reload fails.
	 */
	async refresh(): Promise<void> {
		try {
			const generation = ++this.#generation;
			// Read apart: the settings answer without the admin token, the people do not, and a device
			// without it must still learn what the server needs (the token forms, locked controls).
			const [settings, people] = await Promise.allSettled([
				api.settings(),
				readRows(api.peoplePage, { q: '', rows: this.people.length, pageRows: ROWS_AT_ONCE })
			]);
			// A later refresh (a commit, a reconnect) began meanwhile: its answer is the newer one.
			if (generation !== this.#generation) return;
			if (settings.status === 'rejected') throw settings.reason;
			this.settings = settings.value;
			this.needToken = settings.value.adminTokenRequired && !settings.value.authorized;
			if (people.status === 'fulfilled') {
				this.#listed(people.value);
				this.fetchedAt = Date.now();
			} else if (this.needToken && people.reason instanceof ApiError && people.reason.status === 401) {
				this.#listed({ people: [], total: 0, faces: 0, next: null });
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

	#listed(page: PeoplePage): void {
		this.people = page.people;
		this.total = page.total;
		this.faces = page.faces ?? 0;
		this.next = page.next;
		// The search shown is read again too (a gallery held whole searches itself).
		if (this.remote) {
			this.searching = true;
			this.#search.ask({ query: this.query, rows: this.found?.people.length ?? ROWS_AT_ONCE }, { now: true });
		} else if (this.found) {
			this.#search.cancel();
			this.found = null;
			this.searching = false;
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
			this.#search.cancel();
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

	/**
	 * The person a typed name refers to (the same name by the server's rule: case, width, joiners,
	 * spaces), if any, among those listed and `also` (a name field's suggestions): everyone when the
	 * gallery is held whole. Otherwise a guide only: the server refuses a taken name (409) anyway.
	 */
	personNamed(name: string, also: readonly Person[] = []): Person | undefined {
		return name.trim() ? sameName([...this.people, ...also], name) : undefined;
	}
}
