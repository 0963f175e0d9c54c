import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

/** A service log is rotated at this size, keeping this many older files (`name.log.1` …). */
export const logRotation = { size: '10M', keep: 3 } as const;

const streams = new Map<string, RotatingFileStream>();

/**
 * The append stream of one service's log file, rotated by size (`name.log` → `name.log.1` …,
 * at most `logRotation.keep` old files). One stream per path in this process, shared by every
 * start of the service, so restarts append to the same file.
 */
export function serviceLog(file: string): RotatingFileStream {
  let stream = streams.get(file);
  if (!stream) {
    stream = createStream(basename(file), { path: dirname(file), size: logRotation.size, rotate: logRotation.keep });
    stream.on('error', () => undefined); // a full disk must not take the supervisor down
    streams.set(file, stream);
  }
  return stream;
}

/** The last `count` lines of a log file (empty when it does not exist). */
export function lastLines(file: string, count = 15): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.split('\n').filter((line) => line.trim()).slice(-count);
}
