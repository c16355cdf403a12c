/** Words for the People page's learning sections (unknown groups, sightings, corrections). Pure. */
import { DEVICE_ID_SHOWN, MAX_DEVICE_NAME_INPUT, cleanDeviceName } from '../protocol/device.ts';
import type { CorrectionInfo, SightingInfo, UnknownGroupInfo } from '../protocol/rest.ts';

const time = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
const day = (ms: number) => new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();

/** "10:42" today, "3 Dec 10:42" another day. */
export function when(ms: number, now = Date.now()): string {
	return sameDay(ms, now) ? time(ms) : `${day(ms)} ${time(ms)}`;
}

/** "from 10:42 to 10:45", or "at 10:42" when it was one moment. */
export function span(from: number, to: number, now = Date.now()): string {
	if (to - from < 60_000) return `at ${when(from, now)}`;
	return `from ${when(from, now)} to ${sameDay(from, to) ? time(to) : when(to, now)}`;
}

export function describeGroup(group: UnknownGroupInfo, now = Date.now()): string {
	return `${group.faces} ${group.faces === 1 ? 'face' : 'faces'}, seen ${span(group.firstSeen, group.lastSeen, now)}`;
}

/**
 * Which live page: "Chrome on Android (a1b2)", its label and the first characters of its device
 * id, so two alike devices differ. Without a label (an older page, or a row from before labels)
 * the first characters of what the server kept, its per-load peer id for those.
 */
export function deviceLabel({ device, deviceName }: { device: string; deviceName?: string | null | undefined }): string {
	// The server cleaned it; cleaned again all the same, as it is shown beside names.
	const name = deviceName && deviceName.length <= MAX_DEVICE_NAME_INPUT ? cleanDeviceName(deviceName) : null;
	if (name) return `${name} (${device.slice(0, DEVICE_ID_SHOWN)})`;
	return device.length > 8 ? `${device.slice(0, 8)}…` : device;
}

export function describeSighting(s: SightingInfo, now = Date.now()): string {
	const who = s.personId ? s.label : s.groupId ? 'Someone unknown (remembered)' : 'Someone unknown';
	return `${who}, ${span(s.firstSeen, s.lastSeen, now)} on ${deviceLabel(s)}`;
}

export function describeCorrection(c: CorrectionInfo, personId: string, now = Date.now()): string {
	const by = `by the ${c.byToken} token on ${deviceLabel(c)}, ${when(c.createdAt, now)}`;
	const name = c.name ?? 'this person';
	if (c.kind === 'not') return `“Not ${name}”: a face kept as not ${name} ${by}`;
	if (c.personId === personId) return `“This is ${name}”: a live face added${c.wasName ? ` (it had been named ${c.wasName})` : ''} ${by}`;
	return `A face named ${c.wasName ?? 'this person'} was said to be ${name} ${by}`;
}
