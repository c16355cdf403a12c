/**
 * The page's side of the PWA: registers the service worker with workbox-window, tells when a new
 * build is waiting and reloads into it on request, and keeps the browser's install offer.
 * The only module that touches `navigator.serviceWorker`.
 */
import { Workbox, messageSW } from 'workbox-window';
import type { WorkerReply, WorkerRequest } from './messages.ts';

/** Chromium's install offer; not in TypeScript's DOM types. */
interface BeforeInstallPromptEvent extends Event {
	prompt(): Promise<void>;
	readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

declare global {
	interface Window {
		/** The install offer kept by static/install-offer.js (which runs before the app); null until one came. */
		__facertcInstallOffer?: BeforeInstallPromptEvent | null;
	}
}

/** Fired by static/install-offer.js when it has kept an offer. */
export const INSTALL_OFFER_EVENT = 'facertc:install-offer';

export const SERVICE_WORKER_URL = '/service-worker.js';

export class PwaState {
	/** A newer build's worker is installed and waits for this page to let it take over. */
	updateWaiting = $state(false);
	/** The user accepted the update: the page reloads as soon as the new worker controls it. */
	updating = $state(false);
	/** The browser offers to install the app (kept from its `beforeinstallprompt`). */
	canInstall = $state(false);
	/** Build version of the worker controlling this page; null until it answers (or without one). */
	version = $state<string | null>(null);
}

export type Pwa = {
	readonly state: PwaState;
	/** Lets the waiting worker take over; the page reloads when it does. */
	applyUpdate(): void;
	/** Hides the update offer until the next page load. */
	dismissUpdate(): void;
	/** Shows the browser's install dialog; resolves when the user has chosen. */
	install(): Promise<void>;
	/** Removes the page listeners (the worker stays registered). */
	stop(): void;
};

/**
 * Starts the PWA wiring, reporting into `state`. `register: false` keeps the install offer but
 * registers no worker (`vite dev`, where there is no built worker to register).
 */
export function startPwa({ state = new PwaState(), register = true }: { state?: PwaState; register?: boolean } = {}): Pwa {
	let installOffer: BeforeInstallPromptEvent | null = null;
	let workbox: Workbox | null = null;

	const onInstallOffer = (event: Event) => {
		event.preventDefault(); // keep it for our own button instead of the browser's mini-bar
		installOffer = event as BeforeInstallPromptEvent;
		state.canInstall = true;
	};
	// The offer may have come before this code ran: static/install-offer.js kept it.
	const takeKeptOffer = () => {
		const kept = window.__facertcInstallOffer;
		if (kept && kept !== installOffer) onInstallOffer(kept);
	};
	const onInstalled = () => {
		installOffer = null;
		window.__facertcInstallOffer = null;
		state.canInstall = false;
	};
	// Phones keep apps open for days: look for a new build whenever the app comes back to the front.
	const onVisible = () => {
		if (document.visibilityState === 'visible') void workbox?.update().catch(() => {});
	};
	window.addEventListener('beforeinstallprompt', onInstallOffer);
	window.addEventListener(INSTALL_OFFER_EVENT, takeKeptOffer);
	window.addEventListener('appinstalled', onInstalled);
	takeKeptOffer();

	const askVersion = async () => {
		const controller = navigator.serviceWorker.controller;
		if (!controller) return;
		const request: WorkerRequest = { type: 'GET_VERSION' };
		const reply = (await messageSW(controller, request)) as WorkerReply | undefined;
		state.version = reply?.version ?? null;
	};

	if (register && 'serviceWorker' in navigator) {
		const wb = new Workbox(SERVICE_WORKER_URL, { scope: '/' });
		workbox = wb;
		wb.addEventListener('waiting', () => (state.updateWaiting = true));
		// A worker taking over a page that had one is a new build, whichever tab accepted it: the
		// page must not keep running the old build against the new caches (its lazily loaded chunks
		// may be gone), so it reloads. The very first worker just claims the page it was loaded by.
		let hadController = Boolean(navigator.serviceWorker.controller);
		wb.addEventListener('controlling', () => {
			if (hadController || state.updating) return window.location.reload();
			hadController = true;
			void askVersion().catch(() => {});
		});
		document.addEventListener('visibilitychange', onVisible);
		wb.register()
			.then(() => askVersion())
			.catch((err: unknown) => console.warn(`service worker: ${(err as Error).message}`));
	}

	return {
		state,
		applyUpdate() {
			if (!workbox || !state.updateWaiting) return;
			state.updating = true;
			workbox.messageSkipWaiting();
		},
		dismissUpdate() {
			state.updateWaiting = false;
		},
		async install() {
			const offer = installOffer;
			if (!offer) return;
			installOffer = null;
			window.__facertcInstallOffer = null; // an offer prompts once
			state.canInstall = false;
			await offer.prompt();
			await offer.userChoice;
		},
		stop() {
			window.removeEventListener('beforeinstallprompt', onInstallOffer);
			window.removeEventListener(INSTALL_OFFER_EVENT, takeKeptOffer);
			window.removeEventListener('appinstalled', onInstalled);
			document.removeEventListener('visibilitychange', onVisible);
		}
	};
}
