/**
 * Which face a tap on the live video hits: the overlay draws each track's box in canvas pixels on
 * a canvas shown with `object-fit: contain` (and mirrored for the front camera), so a tap in CSS
 * pixels is mapped back into canvas pixels and tested against the boxes, the smallest box first
 * (a face in front of another). A margin around small boxes keeps far faces tappable. Pure.
 */
export type Box = { x: number; y: number; width: number; height: number };

export type Surface = {
	/** Displayed size of the canvas element, CSS px. */
	clientWidth: number;
	clientHeight: number;
	/** Canvas size, canvas px. */
	width: number;
	height: number;
};

/** Smallest tap target around a face, CSS px (a finger). */
export const MIN_TARGET_PX = 44;

/** The face under (x, y) (CSS px from the canvas element's top-left), or null. */
export function faceAt<F extends { box: Box }>(x: number, y: number, surface: Surface, mirror: boolean, faces: readonly F[]): F | null {
	if (!(surface.width > 0 && surface.height > 0 && surface.clientWidth > 0 && surface.clientHeight > 0)) return null;
	const scale = Math.min(surface.clientWidth / surface.width, surface.clientHeight / surface.height);
	const offsetX = (surface.clientWidth - surface.width * scale) / 2;
	const offsetY = (surface.clientHeight - surface.height * scale) / 2;
	let cx = (x - offsetX) / scale;
	const cy = (y - offsetY) / scale;
	if (mirror) cx = surface.width - cx;
	const pad = MIN_TARGET_PX / 2 / scale;
	const hits = faces.filter(({ box }) => {
		const padX = Math.max(0, pad - box.width / 2);
		const padY = Math.max(0, pad - box.height / 2);
		return cx >= box.x - padX && cx <= box.x + box.width + padX && cy >= box.y - padY && cy <= box.y + box.height + padY;
	});
	hits.sort((a, b) => a.box.width * a.box.height - b.box.width * b.box.height);
	return hits[0] ?? null;
}
