/**
 * The smallest load balancer for tests: a TCP proxy on a free loopback port that sends every new
 * connection to the first backend that accepts it, in order. Every connection of a client thus
 * stays on one server (sticky) until that server dies; then the next ones go to the next server,
 * as nginx/HAProxy do with a failed upstream (deploy/).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type FailoverProxy = { url: string; close(): Promise<void> };

function dial(port: number): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.off('error', reject);
			resolve(socket);
		});
		socket.once('error', reject);
	});
}

export async function startFailoverProxy(backendPorts: () => readonly number[]): Promise<FailoverProxy> {
	const sockets = new Set<Socket>();
	const server: Server = createServer((client) => {
		sockets.add(client);
		client.on('close', () => sockets.delete(client));
		client.on('error', () => client.destroy());
		client.pause();
		void (async () => {
			for (const port of backendPorts()) {
				try {
					const upstream = await dial(port);
					sockets.add(upstream);
					upstream.on('close', () => {
						sockets.delete(upstream);
						client.destroy();
					});
					upstream.on('error', () => upstream.destroy());
					client.on('close', () => upstream.destroy());
					client.pipe(upstream);
					upstream.pipe(client);
					client.resume();
					return;
				} catch {
					// Down: try the next one.
				}
			}
			client.destroy();
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			})
	};
}
