import { describe, expect, it } from 'vitest';
import { cacheRuleFor, isLiveEndpoint, runtimeCacheName, staleRuntimeCaches } from './cache-policy.ts';

describe('cache policy', () => {
	it('never caches answers that change', () => {
		for (const path of ['/api', '/api/config', '/api/people/1/faces', '/peerjs', '/peerjs/id', '/healthz', '/metrics']) {
			expect(isLiveEndpoint(path), path).toBe(true);
			for (const destination of ['', 'script', 'image', 'document']) expect(cacheRuleFor(path, destination)).toBe('network');
		}
	});

	it('does not mistake look-alike paths for live endpoints', () => {
		for (const path of ['/apidocs', '/healthz.png', '/metrics/x', '/_app/immutable/api.js', '/']) {
			expect(isLiveEndpoint(path), path).toBe(false);
		}
	});

	it('keeps MediaPipe files and models cache-first, other assets stale-while-revalidate', () => {
		expect(cacheRuleFor('/vendor/mediapipe/wasm/vision_wasm_nosimd_internal.wasm', '')).toBe('immutable');
		expect(cacheRuleFor('/models/blaze_face_short_range.tflite', '')).toBe('immutable');
		expect(cacheRuleFor('/favicon.svg', 'image')).toBe('asset');
		expect(cacheRuleFor('/something.json', '')).toBe('network');
	});

	it('drops the runtime caches of other builds only', () => {
		const names = ['facertc-precache-v2-/', runtimeCacheName('100'), runtimeCacheName('200'), 'other'];
		expect(staleRuntimeCaches(names, '200')).toEqual([runtimeCacheName('100')]);
	});
});
