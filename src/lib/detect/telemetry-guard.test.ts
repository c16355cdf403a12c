import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardTelemetry, MEDIAPIPE_TELEMETRY_ORIGIN, withoutTelemetry } from './telemetry-guard.ts';

describe('withoutTelemetry', () => {
	it("answers MediaPipe's usage-log upload itself, without calling fetch", async () => {
		const real = vi.fn<typeof fetch>();
		const guarded = withoutTelemetry(real);
		for (const input of [
			`${MEDIAPIPE_TELEMETRY_ORIGIN}/v1/log`,
			new URL(`${MEDIAPIPE_TELEMETRY_ORIGIN}/v1/log`),
			new Request(`${MEDIAPIPE_TELEMETRY_ORIGIN}/v1/log`, { method: 'POST' })
		]) {
			const res = await guarded(input, { method: 'POST', body: 'x' });
			expect(res.status).toBe(204);
		}
		expect(real).not.toHaveBeenCalled();
	});

	it('passes every other request through untouched', async () => {
		const answer = new Response('ok');
		const real = vi.fn<typeof fetch>().mockResolvedValue(answer);
		const guarded = withoutTelemetry(real);
		const init = { method: 'POST' };
		await expect(guarded('/models/blaze_face_full_range.tflite', init)).resolves.toBe(answer);
		// A look-alike host is not MediaPipe's endpoint.
		await expect(guarded('https://odml.pa.googleapis.com.example.org/v1/log')).resolves.toBe(answer);
		expect(real.mock.calls).toEqual([
			['/models/blaze_face_full_range.tflite', init],
			['https://odml.pa.googleapis.com.example.org/v1/log', undefined]
		]);
	});
});

describe('guardTelemetry', () => {
	const original = globalThis.fetch;
	afterEach(() => {
		globalThis.fetch = original;
	});

	it('wraps the global fetch once, however often it is called', async () => {
		const real = vi.fn<typeof fetch>().mockResolvedValue(new Response('ok'));
		globalThis.fetch = real;
		guardTelemetry();
		const once = globalThis.fetch;
		guardTelemetry();
		expect(globalThis.fetch).toBe(once);
		expect((await fetch(`${MEDIAPIPE_TELEMETRY_ORIGIN}/v1/log`)).status).toBe(204);
		await fetch('/api/config');
		expect(real).toHaveBeenCalledTimes(1);
	});
});
