import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/user-error.js';
import { ScanResult } from '../receiving/receiving.types.js';

export enum TransferStatus {
  DRAFT = 'DRAFT',
  SHIPPED = 'SHIPPED',
  RECEIVING = 'RECEIVING',
  RECEIVED = 'RECEIVED',
  RECEIVED_WITH_DISCREPANCY = 'RECEIVED_WITH_DISCREPANCY',
  CANCELED = 'CANCELED',
}
registerEnumType(TransferStatus, {
  name: 'TransferStatus',
  description: 'TRF-1: DRAFT → SHIPPED → RECEIVING → RECEIVED or RECEIVED_WITH_DISCREPANCY; CANCELED only from DRAFT.',
});

export enum TransferSide {
  SHIP = 'SHIP',
  RECEIVE = 'RECEIVE',
}
registerEnumType(TransferSide, {
  name: 'TransferSide',
  description: 'SHIP: the source registers what leaves; RECEIVE: the destination checks off what arrives.',
});

@ObjectType({ description: 'Progress counts for boards (TRF-4).' })
export class TransferProgress {
  @Field(() => Int, { description: 'Units requested (0 when lines have no requested quantity).' }) requested!: number;
  @Field(() => Int, { description: 'Units registered to ship / shipped.' }) shipped!: number;
  @Field(() => Int, { description: 'Units checked off at the destination.' }) received!: number;
}

@ObjectType({ description: 'A store-to-store transfer (TRF-1..4).' })
export class Transfer {
  @Field(() => ID) id!: string;
  @Field(() => String) number!: string;
  @Field(() => TransferStatus) status!: TransferStatus;
  @Field(() => String) note!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) shippedAt?: Date | null;
  @Field(() => Date, { nullable: true }) receivedAt?: Date | null;
  fromStoreId!: number;
  toStoreId!: number;
}

@ObjectType()
export class TransferLine {
  @Field(() => ID) id!: string;
  @Field(() => Int) lineNo!: number;
  @Field(() => Int, { description: 'Requested; 0 = as registered.' }) quantity!: number;
  @Field(() => Int, { description: 'Units registered to ship (serialized and not).' }) shippedQuantity!: number;
  @Field(() => Int, { description: 'Serials registered on the line.' }) serialCount!: number;
  @Field(() => Int, { description: 'Units checked off at the destination (serials + counted units).' }) receivedQuantity!: number;
  @Field(() => [TransferSerial]) serials!: TransferSerial[];
  itemId!: number;
}

@ObjectType()
export class TransferSerial {
  @Field(() => String) serial!: string;
  @Field(() => Boolean) received!: boolean;
  @Field(() => Boolean, { description: 'Received and posted into stock at the destination.' }) posted!: boolean;
  @Field(() => Boolean) writtenOff!: boolean;
}

@ObjectType({ description: 'What was shipped but has not arrived (TRF-3).' })
export class TransferDiscrepancy {
  @Field(() => ID) itemId!: string;
  @Field(() => String) productId!: string;
  @Field(() => String, { nullable: true, description: 'The serial still in transit; null for a quantity shortfall.' }) serial?:
    string | null;
  @Field(() => Int) quantity!: number;
}

@InputType()
export class TransferLineInput {
  @Field(() => ID, { nullable: true }) itemId?: string | null;
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => Int, { nullable: true }) quantity?: number | null;
}

@InputType()
export class CreateTransferInput {
  @Field(() => ID) fromStoreId!: string;
  @Field(() => ID) toStoreId!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => [TransferLineInput], { nullable: true }) lines?: TransferLineInput[] | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class ScanTransferInput {
  @Field(() => ID) transferId!: string;
  @Field(() => TransferSide) side!: TransferSide;
  @Field(() => String) input!: string;
  @Field(() => ID, { nullable: true }) currentItemId?: string | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class TransferActionInput {
  @Field(() => ID) transferId!: string;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class WriteOffTransferInput {
  @Field(() => ID) transferId!: string;
  @Field(() => String) reason!: string;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class RemoveTransferSerialsInput {
  @Field(() => ID) transferId!: string;
  @Field(() => [String]) serials!: string[];
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@ObjectType()
export class TransferPayload {
  @Field(() => Transfer, { nullable: true }) transfer?: Transfer | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

@ObjectType()
export class TransferScanPayload {
  @Field(() => [ScanResult]) results: ScanResult[] = [];
  @Field(() => ID, { nullable: true }) currentItemId?: string | null;
  @Field(() => Transfer, { nullable: true }) transfer?: Transfer | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

@InputType()
export class TransferFilter {
  @Field(() => ID, { nullable: true, description: 'Transfers from or to this store.' }) storeId?: string | null;
  @Field(() => [TransferStatus], { nullable: true }) statuses?: TransferStatus[] | null;
}
