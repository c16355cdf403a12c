import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** The app is a client-only SPA: the camera, detector and link all live in the browser, so
 * there is nothing to render on the server. The Node server serves `build/` as static files. */
/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
		// Kit builds src/service-worker/ into build/service-worker.js; the page registers it itself
		// with workbox-window (src/lib/pwa/), which also offers the update when a new build waits.
		serviceWorker: { register: false },
		typescript: {
			config(tsconfig) {
				tsconfig.compilerOptions.allowImportingTsExtensions = true;
				return tsconfig;
			}
		}
	}
};

export default config;
