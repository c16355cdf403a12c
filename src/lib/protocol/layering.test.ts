/**
 * The layering rule of STYLE.md, checked on the import lines of every source file: the browser
 * (`src/`) never imports the server; the server takes nothing from `src/` but this shared
 * protocol folder; and this folder imports nothing but `valibot` and itself, so both sides can.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const PROTOCOL = join('src', 'lib', 'protocol');

function sources(dir: string): string[] {
	return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
		.filter((e) => e.isFile() && /\.(ts|svelte)$/.test(e.name) && !/\.test\.ts$/.test(e.name))
		.map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module specifier in `text` (imports, re-exports, side-effect and dynamic imports), resolved to a repo path when relative. */
function importsIn(text: string, file: string): string[] {
	const pattern = /(?:^|\s)(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\s)import\s*['"]([^'"]+)['"]/gm;
	const specs = [...text.matchAll(pattern)].map((m) => (m[1] ?? m[2] ?? m[3])!);
	return specs.map((spec) => {
		if (spec.startsWith('.')) return relative(ROOT, resolve(ROOT, dirname(file), spec));
		if (spec.startsWith('$lib/')) return join('src', 'lib', spec.slice(5));
		return spec;
	});
}

const importsOf = (file: string) => importsIn(readFileSync(join(ROOT, file), 'utf8'), file);

const offending = (files: string[], allowed: (target: string) => boolean) =>
	files.flatMap((file) =>
		importsOf(file)
			.filter((target) => !allowed(target))
			.map((target) => `${file} → ${target}`)
	);

describe('layering', () => {
	it('reads every kind of import (self-check: a breach would be seen)', () => {
		expect(importsOf(join('server', 'http', 'request.ts'))).toContain(join(PROTOCOL, 'errors.ts'));
		expect(sources('server').length).toBeGreaterThan(20);
		const planted = [
			"import { a } from '../../../server/a.ts';",
			"import type { B } from '$lib/b.ts';",
			"export { c } from 'node:c';",
			"import '../../../server/side-effect.ts';",
			"const d = await import('node:d');"
		].join('\n');
		expect(importsIn(planted, join(PROTOCOL, 'planted.ts'))).toEqual([
			join('server', 'a.ts'),
			join('src', 'lib', 'b.ts'),
			'node:c',
			join('server', 'side-effect.ts'),
			'node:d'
		]);
	});

	it('keeps the browser out of the server', () => {
		expect(offending(sources('src'), (t) => !t.startsWith(`server/`))).toEqual([]);
	});

	it('lets the server take only the protocol from src/', () => {
		expect(offending(sources('server'), (t) => !t.startsWith('src/') || t.startsWith(`${PROTOCOL}/`))).toEqual([]);
	});

	it('keeps the protocol free of everything but valibot', () => {
		expect(offending(sources(PROTOCOL), (t) => t === 'valibot' || t.startsWith(`${PROTOCOL}/`))).toEqual([]);
	});
});
