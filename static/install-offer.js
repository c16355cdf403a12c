// Keeps the browser's install offer (`beforeinstallprompt`) from the first moment: it may come
// before the app's own scripts have loaded, and it comes once per page load, so an app that starts
// listening later misses it and shows no Install button. src/lib/pwa/pwa.svelte.ts takes it from
// here. A file of its own, loaded by app.html: the Content-Security-Policy allows no inline script.
window.__facertcInstallOffer = null;
window.addEventListener('beforeinstallprompt', function (event) {
	event.preventDefault(); // kept for the app's own button instead of the browser's mini-bar
	window.__facertcInstallOffer = event;
	window.dispatchEvent(new Event('facertc:install-offer'));
});
window.addEventListener('appinstalled', function () {
	window.__facertcInstallOffer = null;
});
