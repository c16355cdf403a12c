// The app icons, rendered from SVG with sharp so that no binary image lives in git. The artwork
// is `static/favicon.svg` drawn at 512: a face inside a detection box on the app's dark blue.
import sharp from 'sharp';

const BACKGROUND = '#0f172a';
const INK = '#22d3ee';

/** The face-in-a-box glyph on a 64-unit grid (as in favicon.svg), centred on (32, 32). */
const GLYPH = `
	<rect x="14" y="14" width="36" height="36" rx="6" fill="none" stroke="${INK}" stroke-width="4"/>
	<circle cx="26" cy="28" r="3" fill="${INK}"/>
	<circle cx="38" cy="28" r="3" fill="${INK}"/>
	<path d="M24 38q8 7 16 0" fill="none" stroke="${INK}" stroke-width="3" stroke-linecap="round"/>`;

/**
 * `any`: rounded tile, glyph as in the favicon. `maskable`: full-bleed background (the launcher
 * cuts its own shape) with the glyph shrunk into the central 80 % circle every mask keeps: the box's
 * half-diagonal, stroke included, is 22.6 units against a safe radius of 25.6.
 */
function svg(purpose) {
	const tile =
		purpose === 'maskable'
			? `<rect width="64" height="64" fill="${BACKGROUND}"/><g transform="translate(32 32) scale(0.8) translate(-32 -32)">${GLYPH}</g>`
			: `<rect width="64" height="64" rx="14" fill="${BACKGROUND}"/>${GLYPH}`;
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${tile}</svg>`;
}

/** Every generated icon: path under the site root, pixel size, purpose. Mirrors static/manifest.webmanifest. */
export const ICONS = [
	{ path: 'icons/icon-192.png', size: 192, purpose: 'any' },
	{ path: 'icons/icon-512.png', size: 512, purpose: 'any' },
	{ path: 'icons/maskable-512.png', size: 512, purpose: 'maskable' },
	// iOS ignores the manifest's icons and rounds this one itself, so it is full-bleed too.
	{ path: 'icons/apple-touch-icon.png', size: 180, purpose: 'maskable' }
];

/** Renders one icon as PNG bytes. */
export function renderIcon({ size, purpose }) {
	return sharp(Buffer.from(svg(purpose)), { density: Math.ceil((72 * size) / 64) })
		.resize(size, size)
		.png({ compressionLevel: 9 })
		.toBuffer();
}
