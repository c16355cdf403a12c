/**
 * How the People page lists and finds people. The search rule itself is shared with the server
 * (src/lib/protocol/people-page.ts): the page applies it to a gallery it holds whole, and asks the
 * server (`GET /api/people?q=`) about a larger one.
 */

/** The search box shows once the gallery holds more people than fit on a phone screen or two. */
export const SEARCH_FROM_PEOPLE = 8;

/**
 * Rows the People page asks for and draws at once; more on request. A row is a few hundred DOM
 * nodes with a picture: a gallery of thousands drawn whole stalls a phone for seconds, and at
 * 100 000 people the whole list is tens of MB (README, *How far it goes*).
 */
export const ROWS_AT_ONCE = 100;

/** Quiet after typing before the server is asked about a search or a name, ms. */
export const SEARCH_DELAY_MS = 250;

/** Names a name field offers (its <datalist>) for what was typed. */
export const NAME_SUGGESTIONS = 50;
