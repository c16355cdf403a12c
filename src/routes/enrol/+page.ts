import { redirect } from '@sveltejs/kit';

/** The People page used to live at /enrol: old links and bookmarks land there. */
export function load(): never {
	redirect(308, '/people');
}
