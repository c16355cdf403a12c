import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProblem } from './static.ts';

describe('buildProblem', () => {
	it('says a BUILD_DIR without the app shell (missing, or not built), and is quiet about a built one', () => {
		expect(buildProblem('/nonexistent')).toMatch(/^BUILD_DIR \/nonexistent holds no built app \(no index\.html\): pages answer 404 until `npm run build`/);
		const dir = mkdtempSync(join(tmpdir(), 'facertc-build-'));
		try {
			expect(buildProblem(dir)).toMatch(/holds no built app/);
			writeFileSync(join(dir, 'index.html'), '<!doctype html>');
			expect(buildProblem(dir)).toBeNull();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
