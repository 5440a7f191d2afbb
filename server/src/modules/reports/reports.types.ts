import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar } from '../../common/scalars.js';
import { PageInfo } from '../catalog/catalog.types.js';

export enum StockEventType {
  RECEIVING = 'RECEIVING',
  TRANSFER_OUT = 'TRANSFER_OUT',
  TRANSFER_IN = 'TRANSFER_IN',
  ADJUSTMENT = 'ADJUSTMENT',
  COUNT = 'COUNT',
  SALE = 'SALE',
  RETURN = 'RETURN',
  RETURN_TO_VENDOR = 'RETURN_TO_VENDOR',
}
registerEnumType(StockEventType, { name: 'StockEventType', description: 'The transaction type of a ledger event (SER-5).' });

export enum DatePreset {
  TODAY = 'TODAY',
  YESTERDAY = 'YESTERDAY',
  THIS_WEEK = 'THIS_WEEK',
  CURRENT_MONTH = 'CURRENT_MONTH',
  LAST_MONTH = 'LAST_MONTH',
  CURRENT_YEAR = 'CURRENT_YEAR',
}
registerEnumType(DatePreset, {
  name: 'DatePreset',
  description: "REP-1: a period evaluated on the server in each store's own time zone. Weeks start on Monday.",
});

export enum SerialHistorySort {
  DATE_DESC = 'DATE_DESC',
  DATE_ASC = 'DATE_ASC',
  SERIAL_ASC = 'SERIAL_ASC',
  SERIAL_DESC = 'SERIAL_DESC',
  PRODUCT_ASC = 'PRODUCT_ASC',
  PRODUCT_DESC = 'PRODUCT_DESC',
}
registerEnumType(SerialHistorySort, {
  name: 'SerialHistorySort',
  description:
    'DATE_* by event time; SERIAL_* by normalized serial (byte order), then time (both in the same direction); PRODUCT_* by product id, newest first within a product.',
});

@InputType({
  description: 'REP-1 filters. Lists mean "any of"; different filters combine with "and". Everything is limited to your stores (SEC-2).',
})
export class SerialHistoryFilter {
  @Field(() => [ID], { nullable: true }) venueIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'Each must be in your scope, else STORE_OUT_OF_SCOPE.' }) storeIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) registerIds?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Serial range, inclusive, compared after trimming and upper-casing (SER-1).' })
  serialFrom?: string | null;
  @Field(() => String, { nullable: true }) serialTo?: string | null;
  @Field(() => [StockEventType], { nullable: true }) types?: StockEventType[] | null;
  @Field(() => [ID], { nullable: true }) departmentIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) categoryIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) subcategoryIds?: string[] | null;
  @Field(() => String, { nullable: true, description: "First day, YYYY-MM-DD, inclusive, in each store's time zone." }) from?:
    string | null;
  @Field(() => String, { nullable: true, description: "Last day, YYYY-MM-DD, inclusive, in each store's time zone." }) to?: string | null;
  @Field(() => DatePreset, { nullable: true, description: 'Instead of from/to.' }) preset?: DatePreset | null;
  @Field(() => Date, { nullable: true, description: 'The instant presets are evaluated at; default now.' }) asOf?: Date | null;
  @Field(() => ID, { nullable: true }) itemId?: string | null;
  @Field(() => String, { nullable: true, description: 'Any UPC of the item (main or additional) or its product id.' }) itemCode?:
    string | null;
  @Field(() => [ID], { nullable: true, description: "The item's vendor." }) vendorIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) customerIds?: string[] | null;
  @Field(() => String, { nullable: true, description: 'A customer number (exact) or part of a customer name.' }) customer?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Who initiated the event.' }) userIds?: string[] | null;
}

@ObjectType({ description: 'One ledger event with a serial, with the columns of seed 004 (REP-1).', simpleResolvers: true })
export class SerialHistoryRow {
  @Field(() => String, { description: 'Pass as `after` to continue after this row.' }) cursor!: string;
  @Field(() => ID) eventId!: string;
  @Field(() => ID, { description: 'The unit; its whole life is serialTrace.' }) unitId!: string;
  @Field(() => String) serial!: string;
  @Field(() => ID) itemId!: string;
  @Field(() => String) description!: string;
  @Field(() => String) productId!: string;
  @Field(() => String) productName!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String, { description: "Date and time in the store's time zone, YYYY-MM-DD HH:MM:SS." }) localTime!: string;
  @Field(() => String) timeZone!: string;
  @Field(() => String, { nullable: true }) customerNumber?: string | null;
  @Field(() => String, { nullable: true }) customerName?: string | null;
  @Field(() => StockEventType) type!: StockEventType;
  @Field(() => Int, { description: 'Signed change at the store: +1 in, -1 out, 0 when the unit was at no store (in transit).' })
  quantity!: number;
  @Field(() => String, { description: 'Where the unit came from: a vendor, a store code, a customer, or Adjustment/Count.' })
  source!: string;
  @Field(() => String, { description: 'Where it went: a store code, a customer, a vendor, or Adjustment/Count.' }) destination!: string;
  @Field(() => String) department!: string;
  @Field(() => String) category!: string;
  @Field(() => String) subcategory!: string;
  @Field(() => String, { nullable: true }) style?: string | null;
  @Field(() => String, { nullable: true }) size?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => String, { nullable: true }) brand?: string | null;
  @Field(() => String, { nullable: true }) season?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => String, { nullable: true }) vendor?: string | null;
  @Field(() => String, { description: 'Display name of the user who initiated the event.' }) initiatedBy!: string;
  @Field(() => String, { nullable: true, description: 'Event or campaign label.' }) event?: string | null;
  @Field(() => ID) storeId!: string;
  @Field(() => String) storeCode!: string;
  @Field(() => String, { nullable: true }) registerCode?: string | null;
  @Field(() => String, { description: 'RECEIPT, TRANSFER, SALE, RETURN, ADJUSTMENT, COUNT or RTV.' }) documentKind!: string;
  @Field(() => ID) documentId!: string;
  @Field(() => String) documentNumber!: string;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class SerialHistoryPage {
  @Field(() => [SerialHistoryRow]) rows!: SerialHistoryRow[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class TypeCount {
  @Field(() => StockEventType) type!: StockEventType;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'Counts for the whole filter, not only the page shown.', simpleResolvers: true })
export class SerialHistoryTotals {
  @Field(() => Int) total!: number;
  @Field(() => [TypeCount], { description: 'Only types that occur.' }) byType!: TypeCount[];
}

@InputType({ description: 'REP-2 filters; limited to your stores (SEC-2).' })
export class SerialsOnHandFilter {
  @Field(() => [ID], { nullable: true }) venueIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) storeIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) departmentIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) categoryIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) subcategoryIds?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Exact size, case-insensitive.' }) size?: string | null;
  @Field(() => String, { nullable: true, description: 'Any UPC of the item, or its product id.' }) upc?: string | null;
  @Field(() => String, { nullable: true, description: "Received on or after this day (YYYY-MM-DD, the store's time zone)." })
  receivedFrom?: string | null;
  @Field(() => String, { nullable: true, description: 'Received on or before this day.' }) receivedTo?: string | null;
}

@ObjectType({ description: 'One unit in stock, with the columns of seed 004 (REP-2).', simpleResolvers: true })
export class SerialOnHandRow {
  @Field(() => String) cursor!: string;
  @Field(() => ID) unitId!: string;
  @Field(() => String) serial!: string;
  @Field(() => String, { nullable: true, description: 'The main UPC.' }) upc?: string | null;
  @Field(() => ID) itemId!: string;
  @Field(() => String) description!: string;
  @Field(() => String) productId!: string;
  @Field(() => String) productName!: string;
  @Field(() => String) department!: string;
  @Field(() => String) category!: string;
  @Field(() => String) subcategory!: string;
  @Field(() => String, { nullable: true }) style?: string | null;
  @Field(() => String, { nullable: true }) size?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => String, { nullable: true }) brand?: string | null;
  @Field(() => String, { nullable: true }) season?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => String, { nullable: true }) vendor?: string | null;
  @Field(() => DecimalScalar) unitCost!: string;
  @Field(() => DecimalScalar) retailPrice!: string;
  @Field(() => ID) storeId!: string;
  @Field(() => String) storeCode!: string;
  @Field(() => Date, { nullable: true, description: 'When the unit came into stock at this store.' }) receivedAt?: Date | null;
  @Field(() => String, { nullable: true, description: "receivedAt in the store's time zone, YYYY-MM-DD HH:MM:SS." })
  receivedLocalTime?: string | null;
  @Field(() => String, { description: "The store's IANA time zone, e.g. America/New_York." }) timeZone!: string;
}

@ObjectType({ simpleResolvers: true })
export class SerialsOnHandPage {
  @Field(() => [SerialOnHandRow]) rows!: SerialOnHandRow[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: 'Units in stock of one department and what they are worth (REP-2 chart).', simpleResolvers: true })
export class DepartmentOnHand {
  @Field(() => ID) departmentId!: string;
  @Field(() => String) department!: string;
  @Field(() => Int) units!: number;
  @Field(() => DecimalScalar, { description: 'Sum of unit cost.' }) costValue!: string;
  @Field(() => DecimalScalar, { description: 'Sum of retail price.' }) retailValue!: string;
}

@ObjectType({ simpleResolvers: true })
export class OnHandSummary {
  @Field(() => [DepartmentOnHand], { description: 'By department name.' }) departments!: DepartmentOnHand[];
  @Field(() => Int) units!: number;
  @Field(() => DecimalScalar) costValue!: string;
  @Field(() => DecimalScalar) retailValue!: string;
}

@ObjectType({ description: "REP-3: one unit's whole life.", simpleResolvers: true })
export class SerialTrace {
  @Field(() => ID) unitId!: string;
  @Field(() => String) serial!: string;
  @Field(() => ID) itemId!: string;
  @Field(() => String) productId!: string;
  @Field(() => String) productName!: string;
  @Field(() => String, { description: 'IN_STOCK, IN_TRANSIT, SOLD, RETURNED_TO_VENDOR or REMOVED (SER-4).' }) state!: string;
  @Field(() => ID, { nullable: true }) storeId?: string | null;
  @Field(() => String, { nullable: true, description: 'Where it is, when IN_STOCK.' }) storeCode?: string | null;
  @Field(() => String, { nullable: true, description: 'The transfer carrying it, when IN_TRANSIT.' }) transferNumber?: string | null;
  @Field(() => [SerialHistoryRow], { description: 'Every event, oldest first (only those at your stores).' }) events!: SerialHistoryRow[];
}

@ObjectType({ description: 'REP-4: the serials on one posted document, from the ledger.', simpleResolvers: true })
export class DocumentSerials {
  @Field(() => String) kind!: string;
  @Field(() => String) number!: string;
  @Field(() => [SerialHistoryRow]) rows!: SerialHistoryRow[];
}
