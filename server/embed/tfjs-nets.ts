// face-api's three nets on tfjs (tfjs-runtime.ts: tfjs-node, else WASM): the fallback the face
// engine loads only where onnxruntime-node or its graphs do not (FACE_NETS=tfjs asks for it).
// Loading tfjs costs a worker ~0.5 s and ~90 MB resident, so it is not loaded beside onnxruntime.
import type * as FaceApiTypes from '@vladmandic/face-api';
import type * as TfTypes from '@tensorflow/tfjs';
import type { Pt } from './face-geometry.ts';
import type { NetImage, NetRunner } from './net-runner.ts';
import { loadTfjsRuntime } from './tfjs-runtime.ts';
import type { RgbImage } from './types.ts';

type Tensor3D = TfTypes.Tensor3D;

/** Loads tfjs (once per thread) and the three nets' weights from `modelDir`. */
export async function loadTfjsNets(modelDir: string, backendPref: 'auto' | 'tensorflow' | 'wasm'): Promise<NetRunner> {
	const { faceapi, tf, backend } = await loadTfjsRuntime(backendPref);
	const ssd = new faceapi.SsdMobilenetv1();
	const landmarkNet = new faceapi.FaceLandmark68Net();
	const recognitionNet = new faceapi.FaceRecognitionNet();
	const dispose = () => {
		for (const net of [ssd, landmarkNet, recognitionNet]) if (net.isLoaded) net.dispose();
	};
	try {
		await ssd.loadFromDisk(modelDir);
		await landmarkNet.loadFromDisk(modelDir);
		await recognitionNet.loadFromDisk(modelDir);
	} catch (err) {
		dispose();
		throw err;
	}

	const toTensor = (image: RgbImage): Tensor3D => tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
	// face-api declares its own copy of the tfjs types; at run time they are the same objects.
	const forFaceApi = (t: Tensor3D) => t as unknown as FaceApiTypes.tf.Tensor3D;
	// One tensor per image for all its landmark passes: made on first use, freed with the image.
	const tensors = new WeakMap<NetImage, Tensor3D>();
	const tensorOf = (input: NetImage): Tensor3D => {
		let tensor = tensors.get(input);
		if (!tensor) tensors.set(input, (tensor = toTensor(input.image)));
		return tensor;
	};

	return {
		backend,

		netImage(image) {
			const input: NetImage = { image, dispose: () => tensors.get(input)?.dispose() };
			return input;
		},

		async landmarksIn(regions) {
			const cut = regions.map(({ input, box }) => {
				const whole = tensorOf(input);
				const isWhole = box.x === 0 && box.y === 0 && box.width === whole.shape[1] && box.height === whole.shape[0];
				return isWhole ? whole : tf.slice(whole, [box.y, box.x, 0], [box.height, box.width, 3]);
			});
			try {
				const found = (await landmarkNet.detectLandmarks(cut.map(forFaceApi))) as FaceApiTypes.FaceLandmarks68[];
				return found.map((landmarks, i): Pt[] => {
					const { box } = regions[i]!;
					return landmarks.positions.map((p) => ({ x: p.x + box.x, y: p.y + box.y }));
				});
			} finally {
				cut.forEach((region, i) => region !== tensors.get(regions[i]!.input) && region.dispose());
			}
		},

		async locateFaces(image, { minConfidence, maxResults }) {
			const input = toTensor(image);
			try {
				return await ssd.locateFaces(forFaceApi(input), new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults }));
			} finally {
				input.dispose();
			}
		},

		async describeChips(chips) {
			const inputs: Tensor3D[] = [];
			try {
				for (const chip of chips) inputs.push(toTensor(chip));
				return (await recognitionNet.computeFaceDescriptor(inputs.map(forFaceApi))) as Float32Array[];
			} finally {
				for (const t of inputs) t.dispose();
			}
		},

		dispose
	};
}
