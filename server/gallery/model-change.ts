/**
 * What happens to faces embedded by another model when the server's embedding model changes:
 * vectors of two models are never compared (the store matches only the current model's), so each
 * such face is re-embedded from its kept thumbnail when it has one, and the people left with
 * faces nobody can re-embed are reported: they must be enrolled again.
 */
import type { Gallery } from './gallery.ts';

export type ModelChangeReport = {
	/** Faces re-embedded from their thumbnail with the current model. */
	reembedded: number;
	/** People with faces of another model that could not be re-embedded (no thumbnail, or no face found in it). */
	reEnrol: Array<{ id: string; name: string; faces: number; models: string[] }>;
};

export type ModelChangeDeps = {
	gallery: Gallery;
	/** The current model's descriptor of the one face in a thumbnail (JPEG); null when none is found. */
	describeThumbnail(jpeg: Uint8Array): Promise<Float32Array | null>;
	log?: (msg: string) => void;
};

/** Re-embeds what it can, one face at a time (each one write), and reports the rest. */
export async function reembedOtherModels({ gallery, describeThumbnail, log = () => {} }: ModelChangeDeps): Promise<ModelChangeReport> {
	const faces = await gallery.otherModelFaces();
	const left = new Map<string, ModelChangeReport['reEnrol'][number]>();
	let reembedded = 0;
	for (const face of faces) {
		const embedding = face.thumbnail ? await describeThumbnail(face.thumbnail).catch(() => null) : null;
		if (embedding && (await gallery.reembedFace(face.id, embedding))) {
			reembedded++;
			continue;
		}
		const person = left.get(face.personId) ?? { id: face.personId, name: face.name, faces: 0, models: [] };
		person.faces++;
		if (!person.models.includes(face.model)) person.models.push(face.model);
		left.set(face.personId, person);
	}
	const reEnrol = [...left.values()];
	if (faces.length > 0) {
		log(
			`gallery: ${faces.length} face(s) were embedded by another model; ${reembedded} re-embedded from their thumbnails` +
				(reEnrol.length ? `; ${reEnrol.length} person(s) must be enrolled again to be recognised: ${reEnrol.map((p) => p.id).join(', ')}` : '')
		);
	}
	return { reembedded, reEnrol };
}
