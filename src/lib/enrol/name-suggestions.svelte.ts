/**
 * The names a name field offers as it is typed (its <datalist>): the people whose names hold what
 * was typed (src/lib/protocol/people-page.ts's rule), never everyone. Found at once where the
 * gallery is held whole, else asked of the server once typing pauses, the stale request cancelled.
 */
import type { Person } from '../api.ts';
import { createLatestRequest, type LatestRequest } from './latest-request.ts';
import { SEARCH_DELAY_MS } from './people-search.ts';

export type SuggestionSource = {
	/** The matches, when they can be told without asking the server; null otherwise. */
	here(typed: string): Person[] | null;
	find(typed: string, signal: AbortSignal): Promise<Person[]>;
};

export class NameSuggestions {
	/** The people offered for what was typed last (the server's answer may still be coming). */
	people = $state.raw<Person[]>([]);
	readonly #source: SuggestionSource;
	readonly #latest: LatestRequest<string>;

	constructor(source: SuggestionSource) {
		this.#source = source;
		this.#latest = createLatestRequest<string, Person[]>({
			run: (typed, signal) => source.find(typed, signal),
			onAnswer: (people) => (this.people = people),
			// Offering names is a help: without an answer the field offers what it had.
			onError: () => {},
			delayMs: SEARCH_DELAY_MS,
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
		});
	}

	/** What is typed now. */
	update(typed: string): void {
		this.#latest.cancel();
		if (!typed.trim()) return void (this.people = []);
		const here = this.#source.here(typed);
		if (here) this.people = here;
		else this.#latest.ask(typed);
	}

	stop(): void {
		this.#latest.cancel();
	}
}
