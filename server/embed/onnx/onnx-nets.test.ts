// Loading the three graphs: what a missing or wrong one says. Needs the graphs npm ci builds.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LANDMARK_MODEL_FILE, loadOnnxNets, RECOGNITION_MODEL_FILE, SSD_MODEL_FILE } from './onnx-nets.ts';

const MODELS = join('models', 'face-api');
let dir = '';

function dirWith(files: Record<string, string>): string {
	dir = mkdtempSync(join(tmpdir(), 'onnx-nets-'));
	for (const [name, from] of Object.entries(files)) copyFileSync(join(MODELS, from), join(dir, name));
	return dir;
}

afterEach(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
	dir = '';
});

describe('loadOnnxNets', () => {
	it('names the graph that is missing and how it is made', async () => {
		const at = dirWith({ [RECOGNITION_MODEL_FILE]: RECOGNITION_MODEL_FILE, [LANDMARK_MODEL_FILE]: LANDMARK_MODEL_FILE });
		await expect(loadOnnxNets({ dir: at })).rejects.toThrow(`no ONNX graph at ${join(at, SSD_MODEL_FILE)} (npm ci builds it`);
	});

	it('refuses a graph under the detector’s name that does not give boxes and scores', async () => {
		const at = dirWith({
			[RECOGNITION_MODEL_FILE]: RECOGNITION_MODEL_FILE,
			[LANDMARK_MODEL_FILE]: LANDMARK_MODEL_FILE,
			[SSD_MODEL_FILE]: LANDMARK_MODEL_FILE
		});
		await expect(loadOnnxNets({ dir: at })).rejects.toThrow(`${SSD_MODEL_FILE}: expected outputs boxes and scores`);
	});

	it('loads all three, and refuses work once disposed', async () => {
		const nets = await loadOnnxNets({ dir: MODELS });
		expect(nets.runtime).toMatch(/^onnxruntime-node /);
		await expect(nets.describeChips([])).resolves.toEqual([]);
		await nets.dispose();
		await expect(nets.describeChips([])).rejects.toThrow('onnx nets disposed');
	});
});
