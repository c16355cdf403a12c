/**
 * MediaPipe Tasks (1.1.0) posts usage statistics to a Google endpoint once a minute and when a
 * task is closed, with no option to turn it off. The page talks to its own server only: its CSP
 * refuses the request, which leaves a console error each time (at the end of every camera
 * enrolment, for one). This answers those requests in the page instead, so none is attempted;
 * the library takes the answer as a failed upload and stops trying. Every other request goes to
 * the real `fetch` untouched.
 */

/** Where MediaPipe Tasks sends its usage logs. */
export const MEDIAPIPE_TELEMETRY_ORIGIN = 'https://odml.pa.googleapis.com';

const GUARDED = Symbol.for('facertc.telemetry-guard');

function urlOf(input: RequestInfo | URL): string {
	if (typeof input === 'string') return input;
	return input instanceof URL ? input.href : input.url;
}

/** `fetch` with MediaPipe's telemetry answered locally (204, nothing sent). Pure: wraps what it is given. */
export function withoutTelemetry(fetcher: typeof fetch): typeof fetch {
	const guarded = (input: RequestInfo | URL, init?: RequestInit) => {
		if (urlOf(input).startsWith(`${MEDIAPIPE_TELEMETRY_ORIGIN}/`)) return Promise.resolve(new Response(null, { status: 204 }));
		return fetcher(input, init);
	};
	return Object.assign(guarded, { [GUARDED]: true });
}

/** Installs the guard on `globalThis.fetch`, once. */
export function guardTelemetry(): void {
	if ((globalThis.fetch as unknown as Record<symbol, unknown>)[GUARDED]) return;
	globalThis.fetch = withoutTelemetry(globalThis.fetch.bind(globalThis));
}
