import type { LocationQuery, LocationQueryRaw } from 'vue-router';

/**
 * A report's filter panel state, kept in the URL so a filtered report can be bookmarked,
 * shared and reloaded. Every field is text or a list of text; a form's defaults say which.
 * Lists travel comma-joined (`stores=3,4`), empty fields are left out of the URL.
 */
export type ReportForm = Record<string, string | string[]>;

/** The form a URL describes; fields missing from it take their defaults. */
export function readForm<T extends ReportForm>(query: LocationQuery, defaults: T): T {
  const form: ReportForm = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const raw = query[key];
    const text = (Array.isArray(raw) ? raw.filter((v) => v != null).join(',') : (raw ?? '')).trim();
    if (Array.isArray(fallback)) {
      form[key] = text
        ? [
            ...new Set(
              text
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean),
            ),
          ]
        : [...fallback];
    } else {
      form[key] = text || fallback;
    }
  }
  return form as T;
}

/** The URL query of a form: non-empty fields only, in the form's key order. */
export function formQuery(form: ReportForm): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  for (const [key, value] of Object.entries(form)) {
    if (Array.isArray(value)) {
      if (value.length) query[key] = value.join(',');
    } else if (value.trim()) {
      query[key] = value.trim();
    }
  }
  return query;
}

/** A copy, so editing the panel does not change what is shown until "Apply". */
export function cloneForm<T extends ReportForm>(form: T): T {
  return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as T;
}

export function sameQuery(a: LocationQueryRaw, b: LocationQuery): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (String(a[key] ?? '') !== String(b[key] ?? '')) return false;
  return true;
}

/** A text field for the API: trimmed, or left out. */
export const textOrNull = (value: string): string | null => value.trim() || null;
/** A list field for the API: left out when empty ("any"). */
export const listOrNull = <T extends string>(values: readonly T[]): T[] | null => (values.length ? [...values] : null);

/** Drops the fields that are null, so a filter (and its export URL) says only what was chosen. */
export function compact<T extends object>(filter: T): T {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v != null)) as T;
}
