/**
 * Gallery files on the People page: what a chosen file holds (checked in the browser with the
 * server's own schema, so a wrong file is explained before anything is sent), and what an import
 * did, in words.
 */
import { checkGalleryDoc } from '../protocol/gallery-doc.ts';
import type { ImportResult } from '../protocol/rest.ts';

export type ChosenFile = { ok: true; people: number; faces: number } | { ok: false; message: string };

const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;
const faces = (n: number) => `${n} ${n === 1 ? 'face' : 'faces'}`;

/** What `text` (the file's content) holds, or why it is not a gallery this page can import. */
export function readGalleryFile(text: string): ChosenFile {
	let doc: unknown;
	try {
		doc = JSON.parse(text);
	} catch {
		return { ok: false, message: 'This file is not a FaceRTC gallery export (it is not even JSON).' };
	}
	const problem = checkGalleryDoc(doc);
	if (problem) return { ok: false, message: problem.message };
	const list = (doc as { people: Array<{ faces: unknown[] }> }).people;
	return { ok: true, people: list.length, faces: list.reduce((n, p) => n + p.faces.length, 0) };
}

/** One or two sentences on what an import did. */
export function describeImport(result: ImportResult, fileName: string): string {
	if (result.removed !== undefined) {
		return `Replaced the gallery (${people(result.removed)}) with the ${people(result.imported)} of ${fileName}.`;
	}
	const done: string[] = [];
	if (result.imported) done.push(`added ${people(result.imported)}`);
	if (result.merged) done.push(`added new faces to ${people(result.merged)} already here`);
	const same = result.unchanged === 1 ? '1 person was already here with the same faces' : `${result.unchanged} people were already here with the same faces`;
	if (!done.length)
		return result.unchanged
			? `Nothing new in ${fileName}: its ${people(result.unchanged)} ${result.unchanged === 1 ? 'is' : 'are'} already here with the same faces.`
			: `Nothing to import: ${fileName} holds nobody.`;
	const first = `From ${fileName}: ${done.join(' and ')} (${faces(result.facesAdded)} in all).`;
	const numbered = result.renamed
		? ` ${result.renamed === 1 ? 'One name' : `${result.renamed} names`} came twice in the file: the later ${result.renamed === 1 ? 'person was' : 'people were'} numbered, like “Ann (2)”, to keep them apart.`
		: '';
	return (result.unchanged ? `${first} ${same}, and left as they were.` : first) + numbered;
}
