/** Picks the gallery store: PostgreSQL when a database URL is given, else SQLite in the data folder. */
import { join } from 'node:path';
import type { Gallery, StoreLog } from './gallery.ts';
import { redactUrl } from './pg-db.ts';
import { createPgGallery } from './pg-gallery.ts';
import { openError } from './sqlite-db.ts';
import { createSqliteGallery, type SqliteGalleryOptions } from './sqlite-gallery.ts';

export type OpenGalleryOptions = {
	/** postgres://…: shared by every server given the same URL; null: `<dataDir>/gallery.db`. */
	databaseUrl: string | null;
	dataDir: string;
	model: string;
	dim: number;
	log: StoreLog;
};

/**
 * Resolves once the whole gallery is in memory, and says which store and how many people (an
 * empty gallery where one was expected shows at once); rejects (AppError 'unavailable') when
 * PostgreSQL cannot be reached.
 */
export async function openGallery({ databaseUrl, dataDir, model, dim, log }: OpenGalleryOptions): Promise<Gallery> {
	const started = performance.now();
	const file = join(dataDir, 'gallery.db');
	const gallery = databaseUrl ? await createPgGallery({ url: databaseUrl, model, dim, log }) : openSqliteGallery({ file, model, dim, log });
	const { people, embeddings } = gallery.health();
	const store = databaseUrl ? `PostgreSQL ${redactUrl(databaseUrl)}` : `SQLite ${file}`;
	log.info(`gallery: ${store}, ${people} people (${embeddings} embeddings) loaded in ${Math.round(performance.now() - started)} ms`);
	return gallery;
}

/** The SQLite gallery; a SQLite error, also one met loading it (a damaged page), names the file. */
function openSqliteGallery(options: SqliteGalleryOptions & { file: string }): Gallery {
	try {
		return createSqliteGallery(options);
	} catch (err) {
		throw openError(options.file, err);
	}
}
