/**
 * What the server prints at start when it made (or keeps) its own admin token: where the token
 * is, a one-time link for a browser on this machine, and a QR code of another for a phone.
 * Plain text for a terminal, not a log line: the QR code needs its lines as they are.
 */
import { renderUnicodeCompact } from 'uqr';
import type { RunningServer } from './app.ts';

export function pairingBanner({ tokens, pairing }: Pick<RunningServer, 'tokens' | 'pairing'>): string {
	const minutes = Math.round((pairing.expiresAt - Date.now()) / 60_000);
	const lines = [
		'',
		'FaceRTC is closed by default: the gallery needs the admin token' +
			(tokens.recognize ? ', and recognition a paired device.' : '; recognition is open (OPEN_RECOGNITION=1).'),
		tokens.admin.file
			? `The admin token is in ${tokens.admin.file} (readable by this user only).`
			: 'The admin token is kept in the gallery database (DATABASE_URL), the same for every server on it.',
		'',
		`Pair a browser on this machine (one use, ${minutes} min):`,
		`  ${pairing.local}`
	];
	if (pairing.phone) {
		lines.push('', `Pair a phone: scan this code (one use, ${minutes} min), or open ${pairing.phone}`);
		lines.push(renderUnicodeCompact(pairing.phone, { border: 2 }));
	}
	lines.push('New links: the People page (Pair a device), or restart the server.', '');
	return lines.join('\n');
}
