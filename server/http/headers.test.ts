import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, inlineScriptHashes, styleAttributeHashes } from './headers.ts';

describe('content security policy', () => {
	it('hashes inline scripts only, exactly as written', () => {
		const body = '\n\t\t\t\tconsole.log(1);\n\t\t\t';
		const html = `<script src="/a.js"></script><div><script>${body}</script></div><script type="module" src="/b.js"></script>`;
		const hash = createHash('sha256').update(body).digest('base64');
		expect(inlineScriptHashes(html)).toEqual([`'sha256-${hash}'`]);
	});

	it('allows MediaPipe WASM and the given hashes, no inline script or style otherwise, no framing', () => {
		const policy = contentSecurityPolicy(["'sha256-abc'"]);
		expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-abc'(;|$)/);
		expect(policy).toMatch(/style-src 'self'(;|$)/);
		expect(policy).not.toMatch(/'unsafe-inline'/);
		expect(policy).not.toMatch(/'unsafe-eval'/);
		expect(policy).toMatch(/frame-ancestors 'none'/);
		expect(policy).toMatch(/object-src 'none'/);
	});

	it('lets a style attribute apply only with a text the build writes', () => {
		const template = 'from_html(`<div id="svelte-announcer" aria-live="assertive" style="position: absolute; width: 1px"><!></div>`)';
		const page = '<div class="app-root"></div><p style="">x</p>';
		const hash = createHash('sha256').update('position: absolute; width: 1px').digest('base64');
		const empty = createHash('sha256').update('').digest('base64');
		expect(styleAttributeHashes([template, page])).toEqual([`'sha256-${empty}'`, `'sha256-${hash}'`].sort());
		expect(styleAttributeHashes(['<div data-style="a: b" class="style"></div>'])).toEqual([]);

		const policy = contentSecurityPolicy([], [`'sha256-${hash}'`]);
		expect(policy).toMatch(/style-src 'self'(;|$)/);
		expect(policy).toContain(`style-src-attr 'unsafe-hashes' 'sha256-${hash}';`);
		expect(policy).not.toMatch(/'unsafe-inline'/);
		expect(contentSecurityPolicy([])).not.toMatch(/style-src-attr/);
	});
});
