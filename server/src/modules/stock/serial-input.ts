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

/** SER-1: the comparison key — trimmed, upper-cased (serials compare case-insensitively). */
export function serialKey(serial: string): string {
  return serial.trim().toUpperCase();
}

export type SerialProblem = { code: 'EMPTY' | 'TOO_LONG' | 'CONTROL_CHARACTERS'; message: string };

/** SER-1: 1–64 printable characters, no control characters inside. */
export function serialProblem(serial: string): SerialProblem | null {
  const s = serial.trim();
  if (s.length === 0) return { code: 'EMPTY', message: 'The scan was empty.' };
  if ([...s].length > MAX_SERIAL_LENGTH)
    return { code: 'TOO_LONG', message: `A serial number is at most ${MAX_SERIAL_LENGTH} characters; this one has ${[...s].length}.` };
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(s))
    return { code: 'CONTROL_CHARACTERS', message: 'The serial contains control characters; scan it again.' };
  return null;
}

/** SER-3: whether a serial fits an item's pattern (the whole serial must match). */
export function matchesPattern(serial: string, pattern: string | null | undefined): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(serial.trim());
  } catch {
    return true; // patterns are validated when saved; a broken one must not block receiving
  }
}
