// How an embed worker thread starts: a small eval'd bootstrap that registers tsx's ESM hooks
// inside the worker and then imports the TypeScript entry. That works the same under `tsx` (npm
// start), plain node and vitest (whose in-process transform does not reach worker threads).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** tsx's ESM API module (the `import` condition of its "./esm/api" export). */
function tsxEsmApiUrl(): string {
	const require = createRequire(import.meta.url);
	const pkgFile = require.resolve('tsx/package.json');
	const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
		exports: Record<string, { import?: { default?: string } }>;
	};
	const entry = pkg.exports['./esm/api']?.import?.default;
	if (!entry) throw new Error('tsx has no ./esm/api export');
	return pathToFileURL(path.join(path.dirname(pkgFile), entry)).href;
}

/**
 * The worker's (eval'd, CommonJS) bootstrap: for a TypeScript entry, register tsx in the worker
 * itself, then import the entry. `execArgv: ['--import', 'tsx']` is no use here: Node 20 ignores
 * loaders given to a Worker through execArgv ("Unknown file extension .ts", nodejs/node#47747).
 */
export function workerBootstrap(entry: URL): string {
	const target = JSON.stringify(entry.href);
	if (entry.protocol !== 'file:' || !/\.[mc]?ts$/.test(entry.pathname)) return `import(${target});`;
	return `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${target}); });`;
}

/** The parent's execArgv minus inspector flags (a port cannot be shared) and tsx's own hooks. */
export function workerExecArgv(parentArgv: readonly string[] = process.execArgv): string[] {
	const out: string[] = [];
	for (let i = 0; i < parentArgv.length; i++) {
		const arg = parentArgv[i]!;
		if (/^--(inspect|inspect-brk|inspect-port|debug-port)(=|$)/.test(arg)) continue;
		if (/^--(require|import|loader|experimental-loader)$/.test(arg) && /[\\/]tsx[\\/]/.test(parentArgv[i + 1] ?? '')) {
			i++;
			continue;
		}
		if (/^--(require|import|loader|experimental-loader)=.*[\\/]tsx[\\/]/.test(arg)) continue;
		out.push(arg);
	}
	return out;
}
