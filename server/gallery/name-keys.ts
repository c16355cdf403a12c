/**
 * `people.name_key` (migration 007): names.ts's nameKey kept beside each name, so a name is checked
 * with one index lookup. The key depends on the rule and on the Unicode tables of the runtime
 * (NFKC, case folding): the setting below records what made the stored keys, and a store opened
 * by another rule or Unicode version makes them again (sqlite-db.ts, pg-db.ts). Until a store is
 * opened by this code, a row written by an older server has none: lookups also read rows without
 * a key (`WHERE name_key = ? OR name_key IS NULL`) and compare them by the rule.
 */
export const NAME_KEYS_SETTING = 'name_keys';

/** Bump the number when names.ts's nameKey changes. */
export const nameKeysVersion = (): string => `1; unicode ${process.versions.unicode ?? 'unknown'}`;

/** The SQL condition for people who may have this key (`?` or `$n` for the key). */
export const mayHaveKey = (param: string) => `(name_key = ${param} OR name_key IS NULL)`;
