/**
 * `POST /api/pair` (a pairing code → the token it stands for) and `POST /api/pair/codes` (an
 * admin makes a code, e.g. for the QR code the People page shows to pair a phone).
 */
import express, { type Request, type RequestHandler } from 'express';
import * as v from 'valibot';
import { AppError } from '../../src/lib/protocol/errors.ts';
import type { Logger } from '../log.ts';
import { pairingLink, type Pairing } from './pairing.ts';
import { handle, parseBody } from './request.ts';
import type { Tokens } from './tokens.ts';

const Redeem = v.object({ code: v.pipe(v.string(), v.maxLength(64)) });
const NewCode = v.object({ role: v.picklist(['admin', 'recognize'], 'role must be admin or recognize') });

export type PairApiDeps = {
	pairing: Pairing;
	tokens: Tokens;
	admin: RequestHandler;
	limit: RequestHandler;
	/** Origins a phone could open (this request's host unless it is loopback, then each LAN address). */
	origins(req: Request): string[];
	log: Logger;
};

export function createPairApi({ pairing, tokens, admin, limit, origins, log }: PairApiDeps): express.Router {
	const api = express.Router();
	const json = express.json({ limit: 4096 });

	api.post(
		'/pair',
		limit,
		json,
		handle(async (req, res) => {
			const { code } = parseBody(Redeem, req.body);
			const role = await pairing.redeem(code);
			if (!role) throw new AppError('unauthorized', 'this pairing link is unknown, used already, or expired: ask for a new one');
			const token = role === 'admin' ? tokens.admin.value : (tokens.recognize?.value ?? null);
			log.info({ role }, 'pairing: a browser was paired');
			res.json({ role, token });
		})
	);

	api.post(
		'/pair/codes',
		admin,
		json,
		handle(async (req, res) => {
			const { role } = parseBody(NewCode, req.body);
			if (role === 'recognize' && !tokens.recognize) throw new AppError('bad-request', 'recognition is open on this server: no pairing needed');
			const created = await pairing.create(role);
			res.status(201).json({ ...created, links: origins(req).map((origin) => pairingLink(origin, created.code)) });
		})
	);
	return api;
}
