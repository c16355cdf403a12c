import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, inlineScriptHashes } from './headers.ts';

describe('content security policy', () => {
	it('hashes inline scripts only, exactly as written', () => {
		const body = '\n\t\t\t\tconsole.log(1);\n\t\t\t';
		const html = `<script src="/a.js"></script><div><script>${body}</script></div><script type="module" src="/b.js"></script>`;
		const hash = createHash('sha256').update(body).digest('base64');
		expect(inlineScriptHashes(html)).toEqual([`'sha256-${hash}'`]);
	});

	it('allows MediaPipe WASM and the given hashes, no inline script otherwise, no framing', () => {
		const policy = contentSecurityPolicy(["'sha256-abc'"]);
		expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-abc'(;|$)/);
		expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
		expect(policy).not.toMatch(/'unsafe-eval'/);
		expect(policy).toMatch(/frame-ancestors 'none'/);
		expect(policy).toMatch(/object-src 'none'/);
	});
});
