/**
 * Drawing and publishing: each video frame's faces go to the overlay (every frame), to the page's
 * list (only when the set of faces or their labels change) and, when asked, to the frame record.
 */
import type { OverlayFace } from '../overlay/draw.ts';
import type { RecordedCrop, RecordedFace, RecordedFrame } from './frame-record.ts';

/** A face as the page lists it; `label` is '' while the recognizer is being asked (`state` 'asking'). */
export type ShownFace = { trackId: number; label: string; state: OverlayFace['state']; box: OverlayFace['box'] };

export type PublisherOptions = {
	/** Draws this frame's faces (the overlay canvas). */
	draw: (faces: readonly OverlayFace[]) => void;
	/** Called when the set of shown faces or their labels change. */
	onFaces: (faces: ShownFace[]) => void;
	onRendered?: ((frame: RecordedFrame) => void) | undefined;
};

export function createFramePublisher({ draw, onFaces, onRendered }: PublisherOptions) {
	let lastShown = '';
	return {
		/**
		 * Shows `faces` on the frame whose media time is `mediaTime` (null when unknown); `cut`: a new
		 * shot began; `crops`: the crops that went since the last frame (recorded only).
		 */
		publish(
			faces: ReadonlyArray<OverlayFace & Pick<RecordedFace, 'score' | 'frontal' | 'likeness'>>,
			mediaTime: number | null,
			cut = false,
			crops: readonly RecordedCrop[] = []
		): void {
			draw(faces);
			const key = faces.map((f) => `${f.id}:${f.state}:${f.label}`).join('|');
			if (key !== lastShown) {
				lastShown = key;
				onFaces(faces.map((f) => ({ trackId: f.id, label: f.state === 'asking' ? '' : f.label, state: f.state, box: f.box })));
			}
			onRendered?.({
				mediaTime,
				faces: faces.map(({ id, label, state, box, score, frontal, likeness }) => ({
					id,
					label,
					state,
					box,
					...(score === undefined ? {} : { score }),
					...(frontal === undefined ? {} : { frontal }),
					...(likeness === undefined ? {} : { likeness })
				})),
				...(cut ? { cut } : {}),
				...(crops.length ? { crops: [...crops] } : {})
			});
		}
	};
}
