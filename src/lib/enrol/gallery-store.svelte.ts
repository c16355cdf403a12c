/**
 * What the People page shows: the people, the server's gallery settings, and whether it needs
 * the admin token. Every call goes through `run`, which turns a 401 into a token prompt and any
 * other failure into one message.
 */
import { api, ApiError, getToken, type Doubt, type Person, type Settings } from '../api.ts';
import { sameName } from '../protocol/names.ts';

export type PendingConflict = { doubt: Doubt; what: string; answer(enrol: boolean): void };

export class GalleryStore {
	people = $state<Person[]>([]);
	settings = $state<Settings | null>(null);
	/** The last failure, for the page to show; cleared by the next success. */
	error = $state<string | null>(null);
	/** The server refused the stored admin token (or there is none). */
	needToken = $state(false);
	/** The server doubts a new face (somebody else's, or unlike the others): the page asks the user. */
	conflict = $state<PendingConflict | null>(null);
	loaded = $state(false);

	/** Whether changes will be accepted with what is stored (as far as the server said). */
	get canChange(): boolean {
		return !this.settings?.adminTokenRequired || this.settings.authorized;
	}

	/** Reloads settings and people. Keeps the current error message unless the reload fails. */
	async refresh(): Promise<void> {
		try {
			const [settings, people] = await Promise.all([api.settings(), api.listPeople()]);
			this.settings = settings;
			this.people = people;
			this.needToken = settings.adminTokenRequired && !settings.authorized;
		} catch (err) {
			this.fail(err);
		} finally {
			this.loaded = true;
		}
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
		if (err instanceof ApiError && err.status === 401) {
			this.needToken = true;
			this.error = getToken() ? 'The server refused the admin token.' : 'This server needs the admin token for that.';
		} else {
			this.error = (err as Error).message;
		}
	}

	/** Resolves true when the user chooses to enrol the face anyway. */
	askConflict(doubt: Doubt, what: string): Promise<boolean> {
		return new Promise((resolve) => {
			this.conflict = {
				doubt,
				what,
				answer: (enrol) => {
					this.conflict = null;
					resolve(enrol);
				}
			};
		});
	}

	/** The person a typed name refers to (the same name by the server's rule: case, width, joiners, spaces), if any. */
	personNamed(name: string): Person | undefined {
		return name.trim() ? sameName(this.people, name) : undefined;
	}
}
