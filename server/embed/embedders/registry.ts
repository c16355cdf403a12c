// The face embedders the server can run (EMBEDDER), each with the model name stored beside every
// vector it makes, its vector length and its own match threshold. Pure: no model is loaded here.
// Vectors of two embedders are never compared (gallery/model-change.ts re-embeds or lists faces).

export const EMBEDDER_IDS = ['face-api', 'arcface-onnx'] as const;
export type EmbedderId = (typeof EMBEDDER_IDS)[number];

export type EmbedderSpec = {
	id: EmbedderId;
	/** Stored with every vector (gallery `model` column): a change of it means re-embedding. */
	model: string;
	dim: number;
	/**
	 * The default MATCH_THRESHOLD (euclidean distance to a person's mean vector), chosen held out by
	 * `npm run bench:embedders` section B (../shared/data faces + faces-real, 10 identity-disjoint
	 * splits × 2: chosen on one half, scored on the other); see each entry.
	 */
	threshold: number;
	/** Where the weights come from and under what terms (README: *Embedding models and licences*). */
	licence: string;
	/** Never the default unless the weights' licence is clear and allows commercial use. */
	optIn: boolean;
};

export const EMBEDDERS: Readonly<Record<EmbedderId, EmbedderSpec>> = {
	'face-api': {
		id: 'face-api',
		model: 'face-api@1.7/face_recognition_model',
		dim: 128,
		// bench:accuracy (issue 13): re-chosen per split 0.48–0.59, not cheaper on held-out halves than 0.55.
		threshold: 0.55,
		licence: "@vladmandic/face-api (MIT); FaceRecognitionNet is face-api.js's port of dlib's ResNet model",
		optIn: false
	},
	'arcface-onnx': {
		id: 'arcface-onnx',
		model: 'faceplugin@0.0.1/fr_feature.onnx',
		dim: 512,
		// bench:embedders B (unit-length vectors, faceplugin fr_feature.onnx on onnxruntime-web): the
		// median of the 20 per-split choices, 1.079 (range 1.021–1.137).
		threshold: 1.08,
		licence: 'faceplugin-face-recognition-js 0.0.1 says "MIT" in package.json; the weights\' origin and training data are not stated',
		optIn: true
	}
};

export const DEFAULT_EMBEDDER: EmbedderId = 'face-api';
