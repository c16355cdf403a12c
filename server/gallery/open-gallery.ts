/** Picks the gallery store: PostgreSQL when a database URL is given, else SQLite in the data folder. */
import { join } from 'node:path';
import type { Gallery, StoreLog } from './gallery.ts';
import { redactUrl } from './pg-db.ts';
import { createPgGallery } from './pg-gallery.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';

export type OpenGalleryOptions = {
	/** postgres://…: shared by every server given the same URL; null: `<dataDir>/gallery.db`. */
	databaseUrl: string | null;
	dataDir: string;
	model: string;
	dim: number;
	log: StoreLog;
};

/** Resolves once the whole gallery is in memory; rejects (AppError 'unavailable') when PostgreSQL cannot be reached. */
export async function openGallery({ databaseUrl, dataDir, model, dim, log }: OpenGalleryOptions): Promise<Gallery> {
	if (!databaseUrl) return createSqliteGallery({ file: join(dataDir, 'gallery.db'), model, dim, log });
	const started = performance.now();
	const gallery = await createPgGallery({ url: databaseUrl, model, dim, log });
	const { people, embeddings } = gallery.health();
	log.info(
		`gallery: PostgreSQL ${redactUrl(databaseUrl)}, ${people} people (${embeddings} embeddings) loaded in ${Math.round(performance.now() - started)} ms`
	);
	return gallery;
}
