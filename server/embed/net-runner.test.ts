// The face engine loads onnxruntime alone when its graphs load: tfjs (~90 MB a worker) only as the
// fallback, which scripts/face-api-onnx.test.ts checks. Needs the graphs npm ci builds. Module
// state (whether tfjs is loaded) is per test file: vitest isolates files.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFaceEngine } from './face-engine.ts';
import { isTfjsLoaded } from './tfjs-runtime.ts';

describe('the face engine on onnxruntime-node', () => {
	it('describes a chip without loading tfjs', async () => {
		const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
		try {
			expect(engine.backend).toBe('onnxruntime-node');
			const chip = { width: 150, height: 150, data: new Uint8Array(150 * 150 * 3).fill(128) };
			expect((await engine.describeChip(chip))?.length).toBe(128);
			expect(isTfjsLoaded()).toBe(false);
		} finally {
			engine.dispose();
		}
	});
});
