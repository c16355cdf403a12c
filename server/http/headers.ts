/**
 * Security headers on every response, and the Content-Security-Policy of the app's pages.
 *
 * The policy allows scripts from this origin only, plus MediaPipe's WebAssembly
 * (`'wasm-unsafe-eval'`, which allows compiling WASM and nothing else) and, by hash, the inline
 * bootstrap script SvelteKit writes into each page; stylesheets from this origin only, and, by
 * hash, the few `style` attributes written in the build's own templates (SvelteKit's route
 * announcer). The hashes are read from the build that is served (and read again when a page
 * changes), so the policy always matches the build and no inline script or style of any other
 * content applies.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RequestHandler } from 'express';

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** `'sha256-…'` sources of every inline `<script>` (one without `src`) in an HTML text. */
export function inlineScriptHashes(html: string): string[] {
	const hashes = new Set<string>();
	for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
		if (/\ssrc\s*=/i.test(match[1] ?? '')) continue;
		hashes.add(sha256Source(match[2] ?? ''));
	}
	return [...hashes].sort();
}

/**
 * `'sha256-…'` sources of every double-quoted `style` attribute written in the texts: HTML pages, or
 * compiled Svelte modules, whose templates are HTML strings parsed at run time (and so governed by
 * the policy as attributes, unlike the styles Svelte sets through the CSSOM).
 */
export function styleAttributeHashes(texts: readonly string[]): string[] {
	const hashes = new Set<string>();
	for (const text of texts) for (const match of text.matchAll(/\sstyle="([^"]*)"/g)) hashes.add(sha256Source(match[1] ?? ''));
	return [...hashes].sort();
}

/** The policy for a page whose inline scripts have `scriptHashes` and whose templates write style attributes with `styleHashes`. */
export function contentSecurityPolicy(scriptHashes: readonly string[], styleHashes: readonly string[] = []): string {
	const sources = (hashes: readonly string[]) => hashes.map((h) => ` ${h}`).join('');
	return [
		"default-src 'self'",
		`script-src 'self' 'wasm-unsafe-eval'${sources(scriptHashes)}`,
		// Stylesheets from this origin only, no inline <style>. Svelte 5 sets the styles it computes
		// through the CSSOM (style.cssText, setProperty; transitions through the Web Animations API),
		// which CSP does not govern; the pairing QR code is an SVG image.
		"style-src 'self'",
		// A style attribute applies only with exactly a text the build's templates write ('unsafe-hashes'
		// lets a hash match an attribute); with no hashes, style-src refuses them all.
		...(styleHashes.length > 0 ? [`style-src-attr 'unsafe-hashes'${sources(styleHashes)}`] : []),
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

/** The compiled modules of a build (SvelteKit's `_app/immutable/**.js` beside its pages). */
function builtModules(buildDir: string): string[] {
	try {
		return readdirSync(join(buildDir, '_app/immutable'), { recursive: true, encoding: 'utf8' })
			.filter((name) => name.endsWith('.js'))
			.map((name) => readFileSync(join(buildDir, '_app/immutable', name), 'utf8'));
	} catch {
		return [];
	}
}

/**
 * A CSP for one HTML file of a build, recomputed when the file changes (a rebuild under a running
 * server rewrites every page with the modules).
 */
export function policyForFile(file: string): () => string {
	let cached: { mtimeMs: number; policy: string } | null = null;
	return () => {
		let mtimeMs: number;
		try {
			mtimeMs = statSync(file).mtimeMs;
		} catch {
			return contentSecurityPolicy([]);
		}
		if (cached?.mtimeMs !== mtimeMs) {
			const html = readFileSync(file, 'utf8');
			cached = { mtimeMs, policy: contentSecurityPolicy(inlineScriptHashes(html), styleAttributeHashes([html, ...builtModules(dirname(file))])) };
		}
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
