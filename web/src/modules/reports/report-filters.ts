import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { SerialHistoryFilter, SerialHistorySort, SerialsOnHandFilter, StockEventType } from '@/gql/graphql';
import { compact, formQuery, listOrNull, readForm, textOrNull } from './report-query';
import { isDatePreset, isHistorySort } from './reports';

/** REP-1's filter panel as the URL keeps it (ids for choices, enum names for types and presets). */
export type HistoryForm = {
  venues: string[];
  stores: string[];
  registers: string[];
  serialFrom: string;
  serialTo: string;
  types: string[];
  departments: string[];
  categories: string[];
  subcategories: string[];
  /** A DatePreset, "CUSTOM" (the from/to range) or "" (any time). */
  preset: string;
  from: string;
  to: string;
  item: string;
  vendors: string[];
  customer: string;
  users: string[];
};

export const HISTORY_FORM: Readonly<HistoryForm> = {
  venues: [],
  stores: [],
  registers: [],
  serialFrom: '',
  serialTo: '',
  types: [],
  departments: [],
  categories: [],
  subcategories: [],
  preset: '',
  from: '',
  to: '',
  item: '',
  vendors: [],
  customer: '',
  users: [],
};

export const DEFAULT_HISTORY_SORT: SerialHistorySort = 'DATE_DESC';

export function readHistoryForm(query: LocationQuery): HistoryForm {
  const form = readForm(query, HISTORY_FORM as HistoryForm);
  if (!isDatePreset(form.preset)) form.preset = form.from || form.to ? 'CUSTOM' : '';
  return form;
}

export function readHistorySort(query: LocationQuery): SerialHistorySort {
  const raw = typeof query.sort === 'string' ? query.sort : '';
  return isHistorySort(raw) ? raw : DEFAULT_HISTORY_SORT;
}

/** The URL of a filtered, sorted history: only what differs from "everything, newest first". */
export function historyQuery(form: HistoryForm, sort: SerialHistorySort): LocationQueryRaw {
  const preset = isDatePreset(form.preset);
  const query = formQuery({ ...form, preset: preset ? form.preset : '', from: preset ? '' : form.from, to: preset ? '' : form.to });
  return sort === DEFAULT_HISTORY_SORT ? query : { ...query, sort };
}

/** What the API is asked (REP-1). A preset wins over a range; the server evaluates both per store time zone. */
export function historyFilter(form: HistoryForm): SerialHistoryFilter {
  const preset = isDatePreset(form.preset) ? form.preset : null;
  return compact<SerialHistoryFilter>({
    venueIds: listOrNull(form.venues),
    storeIds: listOrNull(form.stores),
    registerIds: listOrNull(form.registers),
    serialFrom: textOrNull(form.serialFrom),
    serialTo: textOrNull(form.serialTo),
    // An unknown type in a hand-edited URL goes to the server as is, which names it in its refusal.
    types: listOrNull(form.types) as StockEventType[] | null,
    departmentIds: listOrNull(form.departments),
    categoryIds: listOrNull(form.categories),
    subcategoryIds: listOrNull(form.subcategories),
    preset,
    from: preset ? null : textOrNull(form.from),
    to: preset ? null : textOrNull(form.to),
    itemCode: textOrNull(form.item),
    vendorIds: listOrNull(form.vendors),
    customer: textOrNull(form.customer),
    userIds: listOrNull(form.users),
  });
}

/** REP-2's filter panel as the URL keeps it. */
export type OnHandForm = {
  venues: string[];
  stores: string[];
  departments: string[];
  categories: string[];
  subcategories: string[];
  size: string;
  upc: string;
  receivedFrom: string;
  receivedTo: string;
};

export const ON_HAND_FORM: Readonly<OnHandForm> = {
  venues: [],
  stores: [],
  departments: [],
  categories: [],
  subcategories: [],
  size: '',
  upc: '',
  receivedFrom: '',
  receivedTo: '',
};

export function readOnHandForm(query: LocationQuery): OnHandForm {
  return readForm(query, ON_HAND_FORM as OnHandForm);
}

export function onHandFilter(form: OnHandForm): SerialsOnHandFilter {
  return compact<SerialsOnHandFilter>({
    venueIds: listOrNull(form.venues),
    storeIds: listOrNull(form.stores),
    departmentIds: listOrNull(form.departments),
    categoryIds: listOrNull(form.categories),
    subcategoryIds: listOrNull(form.subcategories),
    size: textOrNull(form.size),
    upc: textOrNull(form.upc),
    receivedFrom: textOrNull(form.receivedFrom),
    receivedTo: textOrNull(form.receivedTo),
  });
}

/** A CSV export URL of a filter (the server's /export routes take the filter as JSON). */
export function exportUrl(path: string, filter: object, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...extra });
  if (Object.keys(filter).length) params.set('filter', JSON.stringify(filter));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
