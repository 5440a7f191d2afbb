/** SER-1 / SER-2: parsing and checking serial numbers as scanners and people enter them. */

export const MAX_SERIAL_LENGTH = 64;
export const MAX_ENTRIES_PER_INPUT = 10_000;

/**
 * SER-2: splits scanner or pasted input into entries. Separators: comma, semicolon, tab,
 * new line (CR/LF). White space around each entry is dropped; empty entries are skipped.
 */
export function splitSerialInput(text: string): string[] {
  return text
    .split(/[,;\t\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * SER-1: the comparison key — trimmed, the letters a–z upper-cased (serials compare
 * case-insensitively). Only ASCII letters fold: the database computes the same key
 * (`serial_key_of()`, migration 10) for its constraints and the ledger's report column, and
 * outside ASCII its `upper()` depends on the cluster's locale (`C` leaves é alone, C.UTF-8 does
 * not) and JavaScript's does not even keep the length (ß → SS). A key must be one thing everywhere.
 */
export function serialKey(serial: string): string {
  return serial.trim().replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** Characters a serial cannot hold (SER-1: printable only): controls, invisible format characters (zero-width space, BOM, bidi marks), line and paragraph separators, lone surrogates. */
export const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

export type SerialProblem = { code: 'EMPTY' | 'TOO_LONG' | 'CONTROL_CHARACTERS'; message: string };

/** SER-1: 1–64 printable characters, no control characters inside. */
export function serialProblem(serial: string): SerialProblem | null {
  const s = serial.trim();
  if (s.length === 0) return { code: 'EMPTY', message: 'The scan was empty.' };
  if ([...s].length > MAX_SERIAL_LENGTH)
    return { code: 'TOO_LONG', message: `A serial number is at most ${MAX_SERIAL_LENGTH} characters; this one has ${[...s].length}.` };
  if (NON_PRINTABLE.test(s))
    return {
      code: 'CONTROL_CHARACTERS',
      message: 'The serial contains control characters (or invisible ones, such as a zero-width space); scan it again.',
    };
  return null;
}

// SER-3: the pattern check lives with its ReDoS guard.
export { matchesPattern } from './serial-pattern.js';
