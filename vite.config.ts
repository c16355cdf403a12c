import { sveltekit } from '@sveltejs/kit/vite';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { ICONS, renderIcon } from './scripts/pwa-icons.mjs';
import { finishPwaBuild } from './scripts/pwa-build.mjs';

// `npm run dev` serves the UI with hot reload and forwards everything the Node server owns
// (REST, signalling, models) to it: start it beside with `npm run server:dev`.
const serverUrl = process.env.FACERTC_SERVER ?? 'http://localhost:8080';

/** adapter-static's `pages` in svelte.config.js. */
const BUILD_DIR = 'build';

/**
 * The PWA parts no SvelteKit option makes: app icons (rendered from SVG) and the service worker's
 * precache list, written once the adapter has filled build/, so a plain `vite build` makes all of
 * it. In dev the icons are rendered on request and no worker is registered.
 */
function pwa(): Plugin {
	let ssrBuild = false;
	return {
		name: 'facertc-pwa',
		configResolved(config) {
			ssrBuild = Boolean(config.build.ssr);
		},
		configureServer(server) {
			server.middlewares.use((req, res, next) => {
				const icon = ICONS.find((i) => req.url === `/${i.path}`);
				if (!icon) return next();
				renderIcon(icon).then(
					(png) => res.setHeader('content-type', 'image/png').end(png),
					(err: unknown) => next(err)
				);
			});
		},
		// SvelteKit runs its client build and the adapter from the server build's hooks, the adapter in
		// a sequential closeBundle: a later sequential one runs after it.
		closeBundle: {
			sequential: true,
			order: 'post',
			async handler() {
				if (!ssrBuild) return;
				const summary = await finishPwaBuild({
					buildDir: resolve(BUILD_DIR),
					modelsDir: resolve(process.env.MODELS_DIR || 'models')
				});
				this.environment.logger.info(summary);
			}
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), pwa()],
	server: {
		proxy: {
			'/api': serverUrl,
			'/models': serverUrl,
			'/vendor': serverUrl,
			'/peerjs': { target: serverUrl, ws: true }
		}
	}
});
