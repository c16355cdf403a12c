/**
 * Security headers on every response, and the Content-Security-Policy of the app's pages.
 *
 * The policy allows scripts from this origin only, plus MediaPipe's WebAssembly
 * (`'wasm-unsafe-eval'`, which allows compiling WASM and nothing else) and, by hash, the inline
 * bootstrap script SvelteKit writes into each page. The hashes are read from the built HTML that
 * is served (and read again when a file changes), so the policy always matches the build and no
 * inline script of any other content can run.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { RequestHandler } from 'express';

/** `'sha256-…'` sources of every inline `<script>` (one without `src`) in an HTML text. */
export function inlineScriptHashes(html: string): string[] {
	const hashes = new Set<string>();
	for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
		if (/\ssrc\s*=/i.test(match[1] ?? '')) continue;
		hashes.add(
			`'sha256-${createHash('sha256')
				.update(match[2] ?? '', 'utf8')
				.digest('base64')}'`
		);
	}
	return [...hashes].sort();
}

/** The policy for a page whose inline scripts have `scriptHashes`. */
export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
	return [
		"default-src 'self'",
		`script-src 'self' 'wasm-unsafe-eval'${scriptHashes.map((h) => ` ${h}`).join('')}`,
		// Svelte sets element styles (style: directives, transitions); no stylesheet comes from elsewhere.
		"style-src 'self' 'unsafe-inline'",
		// data: for thumbnails and the pairing QR code; blob: for photos chosen on the People page.
		"img-src 'self' data: blob:",
		"media-src 'self' blob:",
		// REST, models, MediaPipe's WASM and the signalling WebSocket: all this origin ('self' covers ws/wss).
		"connect-src 'self'",
		"worker-src 'self'",
		"manifest-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

/** A CSP for one HTML file, recomputed when the file changes (a rebuild under a running server). */
export function policyForFile(file: string): () => string {
	let cached: { mtimeMs: number; policy: string } | null = null;
	return () => {
		let mtimeMs: number;
		try {
			mtimeMs = statSync(file).mtimeMs;
		} catch {
			return contentSecurityPolicy([]);
		}
		if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, policy: contentSecurityPolicy(inlineScriptHashes(readFileSync(file, 'utf8'))) };
		return cached.policy;
	};
}

/**
 * Headers for every response: no framing, no referrer (pairing codes live in URL fragments, which
 * are never sent, but nothing else in a URL should leak either), the camera for this origin only,
 * no MIME sniffing; HSTS when served over HTTPS (browsers ignore it for IP addresses and for
 * certificates they do not trust, so a self-signed LAN setup is not locked out).
 */
export function securityHeaders({ https }: { https: boolean }): RequestHandler {
	return (_req, res, next) => {
		res.setHeader('x-content-type-options', 'nosniff');
		res.setHeader('x-frame-options', 'DENY');
		res.setHeader('referrer-policy', 'no-referrer');
		res.setHeader('permissions-policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()');
		res.setHeader('cross-origin-opener-policy', 'same-origin');
		// Anything not a page (API JSON, models) gets the strictest policy; pages override it.
		res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
		if (https) res.setHeader('strict-transport-security', 'max-age=15552000');
		next();
	};
}
