/**
 * `npm run gallery -- copy --from <sqlite file | postgres url> --to <sqlite file | postgres url> [--replace]`:
 * moves a whole gallery between stores without loss (see server/gallery/copy.ts), e.g. from one
 * server's `data/gallery.db` into the PostgreSQL database several servers will share.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { copyGallery, type TableStore } from '../gallery/copy.ts';
import { postgresTables, redactUrl } from '../gallery/pg-db.ts';
import { sqliteTables } from '../gallery/sqlite-db.ts';

const USAGE = `usage: npm run gallery -- copy --from <sqlite file | postgres url> --to <sqlite file | postgres url> [--replace]

Copies every person, face (embeddings bit-exact, thumbnails), setting and shared secret, with their
ids and times, in one transaction on the target, then reads both back and compares them.
The target must hold no people unless --replace (which first deletes what it holds).
Stop the servers writing to the source first, or writes made during the copy are not in it.`;

const isUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

async function open(where: string, role: 'from' | 'to'): Promise<TableStore> {
	if (isUrl(where)) return postgresTables(where);
	const file = resolve(where);
	// Opening a missing file would make an empty gallery and "copy" nothing.
	if (role === 'from' && !existsSync(file)) throw new Error(`--from ${file}: no such file`);
	return sqliteTables(file);
}

function parse(argv: readonly string[]): { from: string; to: string; replace: boolean } {
	const [command, ...rest] = argv;
	if (command !== 'copy') throw new Error(command ? `unknown command "${command}"` : 'no command');
	const options: Record<string, string | true> = {};
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i]!;
		if (arg === '--replace') options.replace = true;
		else if (arg === '--from' || arg === '--to') {
			const value = rest[++i];
			if (!value || value.startsWith('--')) throw new Error(`${arg} needs a value`);
			options[arg.slice(2)] = value;
		} else throw new Error(`unknown option "${arg}"`);
	}
	if (typeof options.from !== 'string' || typeof options.to !== 'string') throw new Error('give both --from and --to');
	if (options.from === options.to) throw new Error('--from and --to are the same gallery');
	return { from: options.from, to: options.to, replace: options.replace === true };
}

async function main(argv: readonly string[]): Promise<number> {
	if (argv.includes('--help') || argv.includes('-h')) {
		console.log(USAGE);
		return 0;
	}
	let args;
	try {
		args = parse(argv);
	} catch (err) {
		console.error(`gallery: ${(err as Error).message}\n\n${USAGE}`);
		return 2;
	}
	const show = (s: string) => (isUrl(s) ? redactUrl(s) : resolve(s));
	const stores: TableStore[] = [];
	try {
		const from = await open(args.from, 'from');
		stores.push(from);
		const to = await open(args.to, 'to');
		stores.push(to);
		console.error(`gallery: copying ${show(args.from)} → ${show(args.to)}${args.replace ? ' (replacing what is there)' : ''}`);
		const started = performance.now();
		let lastShown = 0;
		const report = await copyGallery(from, to, {
			replace: args.replace,
			progress(table, rows, of) {
				const now = performance.now();
				if (rows === of || now - lastShown > 1000) {
					lastShown = now;
					console.error(`gallery: ${table} ${rows}/${of}`);
				}
			}
		});
		const seconds = ((performance.now() - started) / 1000).toFixed(1);
		for (const t of report.tables) console.log(`${t.name.padEnd(9)} ${String(t.rows).padStart(8)} rows  sha256 ${t.digest.slice(0, 16)}…`);
		console.log(`gallery: copied and verified in ${seconds} s: the target reads back identical to the source`);
		return 0;
	} catch (err) {
		console.error(`gallery: ${(err as Error).message}`);
		return 1;
	} finally {
		for (const store of stores) await store.close().catch(() => {});
	}
}

process.exitCode = await main(process.argv.slice(2));
