/**
 * Enrolment from the guided camera capture: the pictures taken go up in one request (a new
 * person with all their faces, or all added to someone already enrolled), the server's doubts are
 * put to the user with the pictures to compare, and the outcome comes back as one message. Nothing
 * is stored unless the whole set is.
 */
import { ApiError } from '../api.ts';
import type { EnrolQuestion } from '../protocol/rest.ts';
import { sendConfirming } from './doubts.ts';
import { explainRefusal, type EnrolPorts, type EnrolTarget } from './photo-enrol.ts';

export type CameraOutcome = { ok: boolean; text: string };

const WHAT = 'the camera pictures';

/** Throws only for a 401 (the caller asks for the token). */
export async function enrolFromCamera(target: EnrolTarget, pictures: readonly Blob[], ports: EnrolPorts): Promise<CameraOutcome> {
	const images = [...pictures];
	const send = (answered: EnrolQuestion[]) =>
		target.personId
			? ports.addFaces(target.personId, images, { answered, source: 'camera' })
			: ports.enrolPerson(target.name, images, { answered, source: 'camera' });
	try {
		const result = await sendConfirming(send, (doubt) => ports.confirmConflict(doubt, WHAT, images));
		if ('declined' in result) {
			const doubt = result.declined;
			const why =
				'near' in doubt
					? `the pictures look like ${doubt.near.name}`
					: doubt.mismatch.others === 1 && doubt.mismatch.person
						? `the pictures and ${doubt.mismatch.person.name}'s one other face may not be the same person`
						: `picture ${doubt.mismatch.index + 1} may not be the same person as the others`;
			return { ok: false, text: `Not enrolled: ${why}. Nothing was stored.` };
		}
		return { ok: true, text: `${target.name}: ${images.length} camera pictures enrolled.` };
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) throw err;
		const index = err instanceof ApiError ? err.details.index : undefined;
		const which = index === undefined ? '' : `picture ${index + 1}: `;
		return { ok: false, text: `Not enrolled (${which}${explainRefusal(err)}). Nothing was stored; try again.` };
	}
}
