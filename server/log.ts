/**
 * Structured logs (pino, JSON lines on stdout). Components get a child logger with their name
 * (`component`), handed in as a dependency. Logs carry ids, counts and codes: never names, tokens
 * or pictures.
 */
import pino, { type DestinationStream } from 'pino';
import type { LogLevel } from './config.ts';

export type Logger = pino.Logger;

/** `destination` defaults to stdout, written synchronously so a crash loses nothing. */
export function createLogger(level: LogLevel, destination: DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
	return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/**
 * Where a crash is written whatever LOG_LEVEL says (even `silent`): stderr, synchronously, as a
 * `fatal` line with the stack, so a supervisor's journal always has the reason.
 */
export function createCrashLogger(): Logger {
	return pino({ level: 'fatal', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything: for unit tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
