import { parse, type Info } from 'csv-parse/sync';

/** One data record of an uploaded CSV file: its values by column and the file line it starts on. */
export interface CsvRecord {
  line: number;
  values: Record<string, string>;
}

/** A parsed file, or why it was refused (a message for people). */
export type CsvFile = { header: string[]; records: CsvRecord[]; error?: undefined } | { error: string };

/**
 * Parses an uploaded CSV file whose first record is the header. Column names compare trimmed and
 * case-insensitively; a repeated, unknown or missing column refuses the file, so a misspelt
 * header never drops a column silently. Each record carries the file line it starts on (blank
 * lines and line breaks inside quoted fields counted), which per-line error reports name.
 */
export function readCsvFile(csv: string, columns: { known: readonly string[]; required: readonly string[] }): CsvFile {
  let parsed: { record: string[]; info: Info }[];
  try {
    // One kind of line break: with `trim`, csv-parse takes the "\n" of "\r\n" for blank space and
    // counts lines wrongly.
    // (`info: true` wraps each record with the parser's state; the typings do not know it.)
    parsed = parse(csv.replace(/\r\n?/g, '\n'), { bom: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof parsed;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    return { error: `The file is not valid CSV${err.lines ? ` (line ${err.lines})` : ''}: ${err.message}` };
  }
  // info.lines is the line a record ends on; it starts after the previous one and the blank
  // lines skipped since.
  let end = 0;
  let blank = 0;
  const withLines = parsed.map(({ record, info }) => {
    const line = end + 1 + info.empty_lines - blank;
    end = info.lines;
    blank = info.empty_lines;
    return { line, record };
  });
  const header = (withLines.shift()?.record ?? []).map((h) => h.trim().toLowerCase());
  const repeated = [...new Set(header.filter((h, i) => header.indexOf(h) !== i))];
  const missing = columns.required.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !columns.known.includes(h));
  const problems = [
    repeated.length && `Repeated column(s): ${repeated.map(name).join(', ')}.`,
    missing.length && `Missing column(s): ${missing.join(', ')}.`,
    unknown.length && `Unknown column(s): ${unknown.map(name).join(', ')}.`,
  ].filter(Boolean);
  if (problems.length) return { error: `${problems.join(' ')} Expected header: ${columns.known.join(',')}` };
  return {
    header,
    records: withLines.map(({ line, record }) => ({ line, values: Object.fromEntries(header.map((h, j) => [h, record[j] ?? ''])) })),
  };
}

const name = (h: string) => (h === '' ? '(blank)' : h);
