import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `npm run dev` serves the UI with hot reload and forwards everything the Node server owns
// (REST, signalling, models) to it: start it beside with `npm run server`.
const serverUrl = process.env.FACERTC_SERVER ?? 'http://localhost:8080';

export default defineConfig({
	plugins: [sveltekit()],
	server: {
		proxy: {
			'/api': serverUrl,
			'/models': serverUrl,
			'/vendor': serverUrl,
			'/peerjs': { target: serverUrl, ws: true }
		}
	}
});
