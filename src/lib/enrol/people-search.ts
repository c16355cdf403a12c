/**
 * Finding a person on the People page by typing part of their name. Pure.
 *
 * Names are compared as the name rule compares them (nameKey: width, case, joiners and spacing
 * folded), and without accents on either side, so "emile" finds "Émile Zola" and "ＡＤＡ" finds
 * "Ada". Every word typed must appear somewhere in the name, in any order: "zola em" finds him too.
 */
import { nameKey } from '../protocol/names.ts';

/** The search box shows once the gallery holds more people than fit on a phone screen or two. */
export const SEARCH_FROM_PEOPLE = 8;

/**
 * Rows the People page draws at once; more on request. A row is a few hundred DOM nodes with a
 * picture: a gallery of thousands drawn whole stalls a phone for seconds (the search finds anyone).
 */
export const ROWS_AT_ONCE = 100;

/** A name or query folded for search: nameKey, then accents and other combining marks dropped. */
export function searchKey(text: string): string {
	return nameKey(text).normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/** The people whose names hold every word of `query`, in their order; everyone for a blank query. */
export function searchPeople<P extends { name: string }>(people: readonly P[], query: string): P[] {
	const words = searchKey(query).split(' ').filter(Boolean);
	if (words.length === 0) return [...people];
	return people.filter((person) => {
		const key = searchKey(person.name);
		return words.every((word) => key.includes(word));
	});
}
