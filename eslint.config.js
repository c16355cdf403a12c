import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Rules that catch bugs, with type information: typescript-eslint's recommended type-checked set
 * (floating and misused promises, awaiting non-promises, `any` leaking out of untyped values),
 * eslint-plugin-svelte's recommended set, and the layering of STYLE.md. Formatting is Prettier's
 * alone (eslint-config-prettier turns the stylistic rules off). Why each rule below is off or
 * narrowed is said beside it.
 */
export default ts.config(
	{
		// Generated or copied, not written here (.gitignore lists the same).
		ignores: ['build/', '.svelte-kit/', 'models/', 'data/', 'test-results/', 'bench/results/', 'bench/.clips/', 'static/']
	},
	js.configs.recommended,
	ts.configs.recommendedTypeChecked,
	svelte.configs.recommended,
	prettier,
	svelte.configs.prettier,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node },
			parserOptions: {
				// Every file belongs to one of these projects; a file in none fails to parse, so nothing is
				// linted without types.
				project: ['./tsconfig.json', './server/tsconfig.json', './src/service-worker/tsconfig.json', './tsconfig.node.json'],
				tsconfigRootDir: import.meta.dirname,
				extraFileExtensions: ['.svelte']
			}
		},
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': 'error',
			'@typescript-eslint/await-thenable': 'error',
			// `_name` marks a parameter or value kept on purpose (an Express error handler's `next`, a
			// destructured field left out of a copy).
			'@typescript-eslint/no-unused-vars': [
				'error',
				{
					argsIgnorePattern: '^_',
					varsIgnorePattern: '^_',
					caughtErrorsIgnorePattern: '^_',
					destructuredArrayIgnorePattern: '^_',
					ignoreRestSiblings: true
				}
			],
			// Off: the ports (Gallery, handlers) are async interfaces, and their implementations are
			// `async` without an `await` on purpose, so that a guard clause's throw becomes a rejection
			// the caller handles rather than a synchronous throw it does not expect.
			'@typescript-eslint/require-await': 'off',
			// Off: dependencies are plain objects of closures (STYLE.md: injected ports), often declared
			// with method syntax and destructured; none uses `this`, so every report is a false alarm.
			'@typescript-eslint/unbound-method': 'off',
			// Off: the app is served from the root of its own server (no `paths.base`), and the links it
			// flags are fixed paths of that server.
			'svelte/no-navigation-without-resolve': 'off'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser, svelteConfig } }
	},
	{
		// Plain JavaScript is not type-checked (checkJs is off), so every value from outside it is
		// `any`; the no-unsafe rules could report nothing else there.
		files: ['**/*.js', '**/*.mjs'],
		rules: {
			'@typescript-eslint/no-unsafe-argument': 'off',
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-return': 'off'
		}
	},
	{
		files: ['**/*.test.ts', '**/*.contract.ts', 'tests/**'],
		rules: {
			// vitest types its asymmetric matchers (`expect.any(Number)`, `expect.stringMatching(…)`) as `any`.
			'@typescript-eslint/no-unsafe-assignment': 'off',
			// REST answers are read as `unknown` fields in the tests; an id of the wrong type fails the
			// request that uses it, which the test sees.
			'@typescript-eslint/restrict-template-expressions': 'off'
		}
	},
	{
		// STYLE.md's layering: the browser never imports the server.
		files: ['src/**'],
		rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**'], message: 'src/ runs in the browser: it never imports server/.' }] }] }
	},
	{
		// The wire contract is imported by both sides: no DOM, no Node, nothing outside the folder but the validator.
		files: ['src/lib/protocol/**'],
		ignores: ['**/*.test.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['node:*', '../*', '$lib/*', '$app/*', '**/server/**'], message: 'src/lib/protocol/ imports nothing but the validator and its own files.' }
					]
				}
			]
		}
	}
);
