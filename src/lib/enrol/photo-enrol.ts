/**
 * Enrolment from many photos at once: one request per photo, with progress and a message per
 * photo. Nobody is left in the gallery without a face: a new person is created together with
 * the first photo that holds a usable face (one request), and the rest are added to them.
 */
import { ApiError, type Doubt, type EnrolSource } from '../api.ts';
import { IMAGE_TYPES, type EnrolQuestion } from '../protocol/rest.ts';
import { describeDoubt, sendConfirming } from './doubts.ts';

/** Who the photos are of: a new person, or one already in the gallery. */
export type EnrolTarget = { name: string; personId: string | null };

export type FileOutcome = { file: string; ok: boolean; message: string };

export type SendOptions = { answered: EnrolQuestion[]; source: EnrolSource };

/** The enrolment requests (api.ts) and the question to the user, shared by photo and camera enrolment. */
export type EnrolPorts = {
	enrolPerson(name: string, images: Blob[], options: SendOptions): Promise<{ id: string }>;
	addFaces(personId: string, images: Blob[], options: SendOptions): Promise<unknown>;
	/**
	 * Asked when the server doubts the images (someone else's face, or unlike the others); true
	 * enrols them anyway. `what` names them for people; `pictures` are the images themselves, to show.
	 */
	confirmConflict(doubt: Doubt, what: string, pictures: readonly Blob[]): Promise<boolean>;
};

export type PhotoEnrolOptions = EnrolPorts & {
	maxUploadBytes: number;
	onProgress?(done: number, total: number, outcome: FileOutcome): void;
	/** Aborting stops before the next photo; photos already enrolled stay. */
	signal?: AbortSignal;
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * The server's messages name the image ("no face found in image 2: <advice>"), which the list
 * already shows beside each file; what follows the first colon is the part a person can act on
 * (more of the head, the pixel limit), so it is kept.
 */
function withAdvice(summary: string, serverMessage: string): string {
	const colon = serverMessage.indexOf(': ');
	return colon < 0 ? summary : `${summary}: ${serverMessage.slice(colon + 2)}`;
}

/** A message for a person about why a photo was refused. */
export function explainRefusal(err: unknown): string {
	if (!(err instanceof ApiError)) return (err as Error).message || 'failed';
	switch (err.code) {
		case 'no-face':
			return withAdvice(err.message.includes('too small') ? 'the face is too small or unclear' : 'no face found', err.message);
		case 'several-faces':
			return `${/^(\d+)/.exec(err.message)?.[1] ?? 'several'} faces found: use a photo of one person`;
		case 'bad-image':
			return 'not an image the server can read';
		case 'unsupported-media-type':
			return 'not a JPEG, PNG or WebP image';
		case 'too-large':
			return withAdvice('too large for this server', err.message);
		default:
			return err.message;
	}
}

/** Refusals the browser can tell without asking the server; null when the file may go up. */
export function precheck(file: File, maxUploadBytes: number): string | null {
	if (!IMAGE_TYPES.includes(file.type)) return `not an image (${file.type || 'unknown type'}): use JPEG, PNG or WebP`;
	if (file.size === 0) return 'empty file';
	if (file.size > maxUploadBytes) return `too large (${mb(file.size)}; at most ${mb(maxUploadBytes)})`;
	return null;
}

/**
 * Enrols every photo it can; returns the person's id (null when nobody was created) and one
 * outcome per file, in order. Throws only for a 401 (the caller asks for the token) and aborts.
 */
export async function enrolPhotos(
	target: EnrolTarget,
	files: readonly File[],
	options: PhotoEnrolOptions
): Promise<{ personId: string | null; outcomes: FileOutcome[] }> {
	let personId = target.personId;
	const outcomes: FileOutcome[] = [];

	async function upload(file: File, answered: EnrolQuestion[]): Promise<void> {
		if (personId) await options.addFaces(personId, [file], { answered, source: 'photo' });
		else personId = (await options.enrolPerson(target.name, [file], { answered, source: 'photo' })).id;
	}

	for (const file of files) {
		if (options.signal?.aborted) break;
		let outcome: FileOutcome;
		const refused = precheck(file, options.maxUploadBytes);
		if (refused) {
			outcome = { file: file.name, ok: false, message: refused };
		} else {
			try {
				const result = await sendConfirming(
					(answered) => upload(file, answered),
					(doubt) => options.confirmConflict(doubt, file.name, [file])
				);
				outcome =
					'sent' in result
						? { file: file.name, ok: true, message: 'enrolled' }
						: { file: file.name, ok: false, message: `skipped: ${describeDoubt(result.declined)}` };
			} catch (err) {
				if (err instanceof ApiError && err.status === 401) throw err;
				outcome = { file: file.name, ok: false, message: explainRefusal(err) };
			}
		}
		outcomes.push(outcome);
		options.onProgress?.(outcomes.length, files.length, outcome);
	}
	return { personId, outcomes };
}
