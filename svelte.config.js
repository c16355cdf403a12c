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
		// No `csp` here: the Node server sends the policy as a header (server/http/headers.ts), with
		// the hash of kit's inline bootstrap script read from the built index.html. A header can say
		// frame-ancestors (a <meta> policy cannot), covers the service worker script too, and keeps
		// the policy in one place.
		typescript: {
			config(tsconfig) {
				tsconfig.compilerOptions.allowImportingTsExtensions = true;
				return tsconfig;
			}
		}
	}
};

export default config;
