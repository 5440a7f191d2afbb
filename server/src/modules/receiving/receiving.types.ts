import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/user-error.js';
import { ScanOutcome } from './scan.js';

registerEnumType(ScanOutcome, { name: 'ScanOutcome', description: 'DOC-3: the answer to one scanned entry.' });

export enum ReceiptKind {
  ASN = 'ASN',
  BLIND = 'BLIND',
}
registerEnumType(ReceiptKind, {
  name: 'ReceiptKind',
  description: 'ASN = against an Advance Shipment Notice (RCV-1); BLIND = no expectation (RCV-2).',
});

export enum DocumentStatus {
  OPEN = 'OPEN',
  POSTED = 'POSTED',
  CANCELED = 'CANCELED',
}
registerEnumType(DocumentStatus, { name: 'DocumentStatus' });

@ObjectType({ description: 'A receipt of goods at a store (RCV-1..4).', simpleResolvers: true })
export class Receipt {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'e.g. RCV-000123.' }) number!: string;
  @Field(() => ReceiptKind) kind!: ReceiptKind;
  @Field(() => DocumentStatus) status!: DocumentStatus;
  @Field(() => String, { nullable: true }) asnReference?: string | null;
  @Field(() => String) note!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) postedAt?: Date | null;
  storeId!: number;
  vendorId?: number | null;
  createdById!: number;
  postedById?: number | null;
}

@ObjectType({ description: 'A serial registered on a receipt line.' })
export class RegisteredSerial {
  @Field(() => String) serial!: string;
  @Field(() => Date) scannedAt!: Date;
  @Field(() => String) scannedBy!: string;
}

@ObjectType({ description: 'One item on a receipt: expected vs received, and its serials.', simpleResolvers: true })
export class ReceiptLine {
  @Field(() => ID) id!: string;
  @Field(() => Int) lineNo!: number;
  @Field(() => Int, { nullable: true, description: 'From the ASN; null on blind receipts.' }) expectedQuantity?: number | null;
  @Field(() => Int) receivedQuantity!: number;
  @Field(() => Int, { description: 'Serials registered.' }) scannedCount!: number;
  @Field(() => Int, { nullable: true, description: 'Received minus expected (RCV-1); null on blind lines.' }) variance?: number | null;
  itemId!: number;
  receiptId!: number;
}

@ObjectType({ description: 'The answer to one entry of a scan or paste (DOC-3).', simpleResolvers: true })
export class ScanResult {
  @Field(() => Int, { description: 'Position of the entry in the input.' }) index!: number;
  @Field(() => String) input!: string;
  @Field(() => ScanOutcome) outcome!: ScanOutcome;
  @Field(() => Boolean, { description: 'True for ACCEPTED, ITEM_SELECTED and ITEM_COUNTED.' }) accepted!: boolean;
  @Field(() => String) message!: string;
  @Field(() => ID, { nullable: true }) itemId?: string | null;
  @Field(() => ID, { nullable: true }) lineId?: string | null;
  @Field(() => String, { nullable: true }) serial?: string | null;
  @Field(() => String, { nullable: true, description: 'Where the unit is, when it is already in stock elsewhere.' }) storeCode?:
    string | null;
  @Field(() => Int, { nullable: true, description: 'Serials on the line after this entry (n of m).' }) lineScanned?: number | null;
  @Field(() => Int, { nullable: true }) lineExpected?: number | null;
}

@InputType()
export class ReceiptLineInput {
  @Field(() => ID, { nullable: true }) itemId?: string | null;
  @Field(() => String, { nullable: true, description: 'A UPC or product id instead of itemId.' }) code?: string | null;
  @Field(() => Int, { nullable: true }) expectedQuantity?: number | null;
  @Field(() => [String], { nullable: true, description: 'Preregistered serials (RCV-1).' }) serials?: string[] | null;
}

@InputType()
export class CreateReceiptInput {
  @Field(() => ID) storeId!: string;
  @Field(() => ReceiptKind) kind!: ReceiptKind;
  @Field(() => ID, { nullable: true }) vendorId?: string | null;
  @Field(() => String, { nullable: true }) asnReference?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => [ReceiptLineInput], { nullable: true }) lines?: ReceiptLineInput[] | null;
  @Field(() => String, { nullable: true, description: 'DOC-1: a retry with the same key returns the first result.' }) clientKey?:
    string | null;
}

@InputType()
export class ImportAsnInput {
  @Field(() => ID) storeId!: string;
  @Field(() => String, {
    description: 'CSV with columns asn_reference, vendor, item (UPC or product id), quantity, serials (joined with |).',
  })
  csv!: string;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class ScanReceiptInput {
  @Field(() => ID) receiptId!: string;
  @Field(() => String, { description: 'One scan, or many entries separated by new lines, commas, tabs or semicolons (SER-2).' })
  input!: string;
  @Field(() => ID, { nullable: true, description: 'The current item (from an earlier UPC scan or the chosen line).' }) currentItemId?:
    string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: '"Current item" view: a serial preregistered for another item is WRONG_ITEM instead of finding its own line.',
  })
  pinItem?: boolean | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class RemoveReceiptSerialsInput {
  @Field(() => ID) receiptId!: string;
  @Field(() => [String], { nullable: true, description: 'Serials to clear; omit with lineId to re-scan the line from zero.' }) serials?:
    string[] | null;
  @Field(() => ID, { nullable: true }) lineId?: string | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class SetReceiptQuantityInput {
  @Field(() => ID) receiptId!: string;
  @Field(() => ID) itemId!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class ReceiptActionInput {
  @Field(() => ID) receiptId!: string;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@ObjectType()
export class ReceiptPayload {
  @Field(() => Receipt, { nullable: true }) receipt?: Receipt | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean, { description: 'True when this answer is the stored result of an earlier call with the same client key.' })
  replayed = false;
}

@ObjectType()
export class ScanPayload {
  @Field(() => [ScanResult]) results: ScanResult[] = [];
  @Field(() => ID, { nullable: true, description: 'The current item after this scan, to send with the next one.' }) currentItemId?:
    string | null;
  @Field(() => Receipt, { nullable: true }) receipt?: Receipt | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

@InputType()
export class ReceiptFilter {
  @Field(() => ID, { nullable: true }) storeId?: string | null;
  @Field(() => DocumentStatus, { nullable: true }) status?: DocumentStatus | null;
  @Field(() => String, { nullable: true, description: 'Receipt number or ASN reference (contains).' }) search?: string | null;
}

@ObjectType()
export class ReceiptConnection {
  @Field(() => [Receipt]) nodes!: Receipt[];
  @Field(() => String, { nullable: true }) endCursor?: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}
