import { Field, ID, InputType, Int, ObjectType, Resolver, Root, Subscription, Arg, registerEnumType } from 'type-graphql';
import type { Ctx, Viewer } from '../../common/context.js';
import { canSeeStore } from '../../common/auth.js';
import { dbId } from '../../common/db.js';
import { fail, unauthenticated } from '../../common/errors.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { StockEventType } from '../reports/reports.types.js';
import { decodeCursor, encodeCursor, type LogName, type Position } from './logs.js';
import type { LogRow } from './hub.js';
import { serialKey } from '../stock/serial-input.js';

export enum DocumentEventKind {
  RECEIPT = 'RECEIPT',
  TRANSFER = 'TRANSFER',
  COUNT = 'COUNT',
}
registerEnumType(DocumentEventKind, { name: 'DocumentEventKind', description: 'The documents whose changes are streamed live.' });

@ObjectType({ description: 'One ledger row as it commits: a serial status change or a quantity change (RT-1).' })
export class SerialEvent {
  @Field(() => String, { description: 'Pass as `after` when reconnecting to receive what was missed (RT-3).' }) cursor!: string;
  @Field(() => ID) id!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => StockEventType) type!: StockEventType;
  @Field(() => ID) itemId!: string;
  @Field(() => String) productId!: string;
  @Field(() => String) itemName!: string;
  @Field(() => String, { nullable: true }) serial?: string | null;
  @Field(() => String, { nullable: true, description: "The unit's state after this event, for serialized rows." }) unitState?:
    string | null;
  @Field(() => Int) quantity!: number;
  @Field(() => ID, { nullable: true }) storeId?: string | null;
  @Field(() => String, { nullable: true }) storeCode?: string | null;
  @Field(() => String) documentKind!: string;
  @Field(() => ID) documentId!: string;
  @Field(() => String) documentNumber!: string;
}

@ObjectType({ description: 'A document changed: a scan registered, a status change (DOC-2, TRF-4).' })
export class DocumentEvent {
  @Field(() => String) cursor!: string;
  @Field(() => ID) id!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => DocumentEventKind) kind!: DocumentEventKind;
  @Field(() => ID) documentId!: string;
  @Field(() => String) number!: string;
  @Field(() => String, { description: "The document's status after the change, as on the document (e.g. OPEN, SHIPPED, POSTED)." })
  status!: string;
  @Field(() => [ID]) storeIds!: string[];
  @Field(() => String, { description: 'What happened, e.g. SCANNED, SHIPPED, postReceipt.' }) action!: string;
  @Field(() => String, { nullable: true }) userName?: string | null;
  @Field(() => Int) expected!: number;
  @Field(() => Int, { description: 'Serials registered so far.' }) scanned!: number;
  @Field(() => Int) received!: number;
  @Field(() => Int) shipped!: number;
  @Field(() => Int) accepted!: number;
}

@ObjectType({ description: 'A serialization level changed (POL-3).' })
export class PolicyEvent {
  @Field(() => String) cursor!: string;
  @Field(() => ID) id!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String) targetKind!: string;
  @Field(() => ID) targetId!: string;
  @Field(() => String) targetName!: string;
  @Field(() => SerialLevel, { nullable: true }) oldLevel?: SerialLevel | null;
  @Field(() => SerialLevel, { nullable: true }) newLevel?: SerialLevel | null;
  @Field(() => Int) itemsAffected!: number;
  @Field(() => String) userName!: string;
}

@InputType()
export class SerialEventFilter {
  @Field(() => [ID], { nullable: true, description: 'Stores to watch; each must be in your scope. Default: all of your stores.' })
  storeIds?: string[] | null;
  @Field(() => ID, { nullable: true }) itemId?: string | null;
  @Field(() => String, { nullable: true, description: 'One serial (case-insensitive).' }) serial?: string | null;
  @Field(() => [String], { nullable: true, description: 'Event types to keep.' }) types?: string[] | null;
}

@InputType()
export class DocumentEventFilter {
  @Field(() => DocumentEventKind, { nullable: true }) kind?: DocumentEventKind | null;
  @Field(() => ID, { nullable: true }) documentId?: string | null;
  @Field(() => [ID], { nullable: true }) storeIds?: string[] | null;
}

function start(ctx: Ctx, log: LogName, cursor: string | null | undefined): { viewer: Viewer; from: Position | null } {
  const viewer = ctx.viewer ?? unauthenticated();
  if (!cursor) return { viewer, from: null };
  const from = decodeCursor(log, cursor);
  if (!from)
    fail('BAD_USER_INPUT', `Unknown cursor "${cursor}": pass the cursor of an event from this same subscription, or none to start live.`, {
      field: 'after',
      reason: 'BAD_CURSOR',
    });
  return { viewer, from };
}

function storeFilter(viewer: Viewer, storeIds: string[] | null | undefined): Set<number> | null {
  if (!storeIds?.length) return viewer.storeIds === null ? null : new Set(viewer.storeIds);
  const ids = storeIds.map((id) => filterId(id, 'filter.storeIds')!);
  for (const id of ids) {
    if (!canSeeStore(viewer, id)) fail('STORE_OUT_OF_SCOPE', `You are not assigned to store ${id}.`, { storeId: String(id) });
  }
  return new Set(ids);
}

const EVENT_TYPES = new Set<string>(Object.values(StockEventType));

/** A type in a filter, as the ledger spells it; an unknown one is refused, not a filter that never matches. */
function eventType(type: string): string {
  const t = type.trim().toUpperCase();
  if (!EVENT_TYPES.has(t))
    fail('BAD_USER_INPUT', `filter.types: "${type}" is not an event type; the types are ${[...EVENT_TYPES].join(', ')}.`, {
      field: 'filter.types',
    });
  return t;
}

/** An id in a filter, or null when none is given; one that cannot be an id is refused, not a subscription that never hears anything. */
function filterId(id: string | null | undefined, field: string): number | null {
  if (id == null || id === '') return null;
  return dbId(id) ?? fail('BAD_USER_INPUT', `${field}: "${id}" is not a valid id.`, { field });
}

const unitStateAfter = (type: string, quantity: number): string =>
  quantity > 0
    ? 'IN_STOCK'
    : type === 'SALE'
      ? 'SOLD'
      : type === 'TRANSFER_OUT'
        ? 'IN_TRANSIT'
        : type === 'RETURN_TO_VENDOR'
          ? 'RETURNED_TO_VENDOR'
          : 'REMOVED';

@Resolver()
export class RealtimeResolver {
  @Subscription(() => SerialEvent, {
    description:
      'Serial status and stock changes at your stores, after commit (RT-1, RT-2). Reconnect with `after` to get what you missed (RT-3).',
    subscribe: ({ args, context }: { args: { filter?: SerialEventFilter; after?: string }; context: Ctx }) => {
      const { viewer, from } = start(context, 'stock', args.after);
      const stores = storeFilter(viewer, args.filter?.storeIds);
      const itemId = filterId(args.filter?.itemId, 'filter.itemId');
      const serial = args.filter?.serial != null ? serialKey(args.filter.serial) : null;
      const types = args.filter?.types?.length ? new Set(args.filter.types.map(eventType)) : null;
      return context.services.realtime.subscribe('stock', from, (r: LogRow) => {
        const touches = stores === null || [r.store_id, r.source_store_id, r.destination_store_id].some((s) => s != null && stores.has(s));
        return (
          touches &&
          (itemId === null || r.item_id === itemId) &&
          (serial === null || (r.serial != null && serialKey(r.serial) === serial)) &&
          (types === null || types.has(r.type))
        );
      });
    },
  })
  serialEvents(
    @Root() r: LogRow,
    @Arg('filter', () => SerialEventFilter, { nullable: true }) _filter?: SerialEventFilter,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): SerialEvent {
    return {
      cursor: encodeCursor('stock', r.pos),
      id: String(r.id),
      occurredAt: r.occurred_at,
      type: r.type,
      itemId: String(r.item_id),
      productId: r.product_id,
      itemName: r.item_name,
      serial: r.serial,
      unitState: r.unit_id ? unitStateAfter(r.type, r.quantity) : null,
      quantity: r.quantity,
      storeId: r.store_id == null ? null : String(r.store_id),
      storeCode: r.store_code,
      documentKind: r.document_kind,
      documentId: String(r.document_id),
      documentNumber: r.document_number,
    };
  }

  @Subscription(() => DocumentEvent, {
    description: 'Progress and status of receipts and transfers at your stores, e.g. each scan (DOC-2, TRF-4).',
    subscribe: ({ args, context }: { args: { filter?: DocumentEventFilter; after?: string }; context: Ctx }) => {
      const { viewer, from } = start(context, 'doc', args.after);
      const stores = storeFilter(viewer, args.filter?.storeIds);
      const kind = args.filter?.kind ?? null;
      const documentId = filterId(args.filter?.documentId, 'filter.documentId');
      return context.services.realtime.subscribe(
        'doc',
        from,
        (r: LogRow) =>
          (stores === null || (r.store_ids as number[]).some((s) => stores.has(s))) &&
          (kind === null || r.kind === kind) &&
          (documentId === null || r.document_id === documentId),
      );
    },
  })
  documentEvents(
    @Root() r: LogRow,
    @Arg('filter', () => DocumentEventFilter, { nullable: true }) _filter?: DocumentEventFilter,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): DocumentEvent {
    const d = r.detail ?? {};
    return {
      cursor: encodeCursor('doc', r.pos),
      id: String(r.id),
      occurredAt: r.occurred_at,
      kind: r.kind,
      documentId: String(r.document_id),
      number: r.number,
      status: r.status,
      storeIds: (r.store_ids as number[]).map(String),
      action: r.action,
      userName: r.user_name,
      expected: Number(d.expected ?? 0),
      scanned: Number(d.scanned ?? 0),
      received: Number(d.received ?? 0),
      shipped: Number(d.shipped ?? 0),
      accepted: Number(d.accepted ?? 0),
    };
  }

  @Subscription(() => PolicyEvent, {
    description: 'Serialization level changes, pushed to open consoles (POL-3).',
    subscribe: ({ args, context }: { args: { after?: string }; context: Ctx }) => {
      const { from } = start(context, 'policy', args.after);
      return context.services.realtime.subscribe('policy', from, () => true);
    },
  })
  policyEvents(@Root() r: LogRow, @Arg('after', () => String, { nullable: true }) _after?: string): PolicyEvent {
    return {
      cursor: encodeCursor('policy', r.pos),
      id: String(r.id),
      occurredAt: r.occurred_at,
      targetKind: r.target_kind,
      targetId: String(r.target_id),
      targetName: r.target_name,
      oldLevel: r.old_level,
      newLevel: r.new_level,
      itemsAffected: r.items_affected,
      userName: r.user_name,
    };
  }
}
