// What runs face-api's three nets for the face engine: onnxruntime-node (onnx/onnx-nets.ts, the
// default) or tfjs (tfjs-nets.ts, the fallback). The engine's stages are written once against this.
import type { Pt } from './face-geometry.ts';
import { loadOnnxNets } from './onnx/onnx-nets.ts';
import type { SsdOptions } from './onnx/onnx-nets.ts';
import type { DetectedFace, FaceBox, RgbImage } from './types.ts';

/** An image the landmark passes run on several times (tfjs keeps one tensor for all of them). */
export interface NetImage {
	readonly image: RgbImage;
	dispose(): void;
}

export interface NetRunner {
	/** For logs and /healthz: 'onnxruntime-node', or the tfjs backend ('tensorflow', 'wasm'). */
	readonly backend: string;
	netImage(image: RgbImage): NetImage;
	/** The 68 landmarks in each box (whole pixels, inside its image), in that image's pixels: one call for all. */
	landmarksIn(regions: ReadonlyArray<{ input: NetImage; box: FaceBox }>): Promise<Pt[][]>;
	/** SSD on a whole image: face-api's locateFaces, boxes unrounded, best score first. */
	locateFaces(image: RgbImage, options: SsdOptions): Promise<DetectedFace[]>;
	/** FaceRecognitionNet on aligned chips, one 128-d descriptor each, in one run. */
	describeChips(chips: readonly RgbImage[]): Promise<Float32Array[]>;
	dispose(): void;
}

/** The three nets on onnxruntime-node, from the graphs `npm ci` built in `dir`; throws when they do not load. */
export async function loadOnnxRunner(dir: string): Promise<NetRunner> {
	const nets = await loadOnnxNets({ dir });
	return {
		backend: 'onnxruntime-node',
		netImage: (image) => ({ image, dispose() {} }),
		landmarksIn: (regions) => nets.findLandmarksIn(regions.map(({ input, box }) => ({ image: input.image, box }))),
		locateFaces: (image, options) => nets.detectFaces(image, options),
		describeChips: (chips) => nets.describeChips(chips),
		dispose: () => void nets.dispose()
	};
}
