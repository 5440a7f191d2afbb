import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError, UserErrorCode } from '../../common/user-error.js';
import { DecimalScalar } from '../../common/scalars.js';
import { Classification, Item, SerialLevel, Vendor } from './catalog.entities.js';
import { PolicySource } from './policy.service.js';
import { Store } from '../locations/location.entities.js';
import { User } from '../auth/user.entity.js';

registerEnumType(PolicySource, { name: 'PolicySource', description: 'Where an effective level comes from (POL-2).' });

export enum CodeMatch {
  MAIN_UPC = 'MAIN_UPC',
  ADDITIONAL_UPC = 'ADDITIONAL_UPC',
  PRODUCT_ID = 'PRODUCT_ID',
}
registerEnumType(CodeMatch, { name: 'CodeMatch' });

// simpleResolvers: plain data types let graphql-js read each property directly instead of through
// type-graphql's per-field wrapper (no middleware or auth is declared on their fields), which
// counts at 10,000 rows.
@ObjectType({ description: 'The serialization policy in effect and where it comes from (POL-1, POL-2).', simpleResolvers: true })
export class SerialPolicy {
  @Field(() => SerialLevel) level!: SerialLevel;
  @Field(() => PolicySource) source!: PolicySource;
  @Field(() => ID, { nullable: true, description: 'The item or classification the level is set on; null for the default.' }) sourceId?:
    string | null;
  @Field(() => String, { nullable: true }) sourceName?: string | null;
  @Field(() => String, { description: 'For people, e.g. "inherited from Department Electronics".' }) explanation!: string;
  @Field(() => Boolean, { description: 'A serial must be given when selling (ALWAYS, or SOMETIMES with the flag).' })
  serialRequiredWhenSelling!: boolean;
  @Field(() => Boolean, { description: 'A serial must be given when returning.' }) serialRequiredWhenReturning!: boolean;
  @Field(() => String, { nullable: true }) serialPattern?: string | null;
}

@ObjectType({ description: "An item's effective policy, for bulk lookups.", simpleResolvers: true })
export class ItemPolicy extends SerialPolicy {
  @Field(() => ID) itemId!: string;
}

@ObjectType({
  description:
    'Effective policies of many items as columns: entry i of every list belongs to itemIds[i]. The same figures as ' +
    'itemPolicies in a compact shape for clients that sync a whole catalog (a register caching policies, say).',
  simpleResolvers: true,
})
export class ItemPolicyTable {
  @Field(() => [ID]) itemIds!: string[];
  @Field(() => [SerialLevel]) levels!: SerialLevel[];
  @Field(() => [PolicySource]) sources!: PolicySource[];
  @Field(() => [ID], { nullable: 'items' }) sourceIds!: (string | null)[];
  @Field(() => [String], { nullable: 'items' }) sourceNames!: (string | null)[];
  @Field(() => [String]) explanations!: string[];
  @Field(() => [Boolean]) serialRequiredWhenSelling!: boolean[];
  @Field(() => [Boolean]) serialRequiredWhenReturning!: boolean[];
  @Field(() => [String], { nullable: 'items' }) serialPatterns!: (string | null)[];
}

@ObjectType()
export class CodeResolution {
  @Field(() => Item) item!: Item;
  @Field(() => CodeMatch) matchedBy!: CodeMatch;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => String, { nullable: true }) endCursor?: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}

@ObjectType()
export class ItemConnection {
  @Field(() => [Item]) nodes!: Item[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: 'Items matching the filter.' }) totalCount!: number;
}

@InputType()
export class ItemFilter {
  @Field(() => String, { nullable: true, description: 'Name or product id (contains), or any UPC (exact).' }) search?: string | null;
  @Field(() => ID, { nullable: true, description: 'Department, category or subcategory.' }) classificationId?: string | null;
  @Field(() => SerialLevel, { nullable: true, description: 'Effective level.' }) level?: SerialLevel | null;
  @Field(() => ID, { nullable: true }) vendorId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Default: active items only.' }) active?: boolean | null;
}

@ObjectType()
export class LevelTransitionType {
  @Field(() => SerialLevel) from!: SerialLevel;
  @Field(() => SerialLevel) to!: SerialLevel;
  @Field(() => Int) items!: number;
}

@ObjectType({ description: 'Units on hand without serials at one store, for items that would become ALWAYS.' })
export class UnserializedStock {
  @Field(() => Store) store!: Store;
  @Field(() => Int) itemCount!: number;
  @Field(() => Int) quantity!: number;
}

@ObjectType()
export class AffectedDocument {
  @Field(() => String) kind!: string;
  @Field(() => ID) id!: string;
  @Field(() => String) number!: string;
  @Field(() => String) status!: string;
}

@ObjectType({ description: 'POL-3: what a level change would do, shown before it is saved.' })
export class PolicyImpactType {
  @Field(() => Int) itemsAffected!: number;
  @Field(() => [LevelTransitionType]) transitions!: LevelTransitionType[];
  @Field(() => [Item], { description: 'Up to 20 of the affected items.' }) sampleItems!: Item[];
  @Field(() => [UnserializedStock]) unitsWithoutSerials!: UnserializedStock[];
  @Field(() => [AffectedDocument]) openDocuments!: AffectedDocument[];
}

@InputType({ description: 'A classification node or an item, exactly one.' })
export class PolicyTargetInput {
  @Field(() => ID, { nullable: true }) classificationId?: string | null;
  @Field(() => ID, { nullable: true }) itemId?: string | null;
}

@InputType()
export class SetSerialLevelInput {
  @Field(() => PolicyTargetInput) target!: PolicyTargetInput;
  @Field(() => SerialLevel, { nullable: true, description: 'Null clears the own level, so it is inherited again.' })
  level?: SerialLevel | null;
}

@ObjectType({ description: 'One audited level change (POL-3).' })
export class PolicyChange {
  @Field(() => ID) id!: string;
  @Field(() => Date) changedAt!: Date;
  @Field(() => User) changedBy!: User;
  @Field(() => String, { description: 'CLASSIFICATION or ITEM.' }) targetKind!: string;
  @Field(() => ID) targetId!: string;
  @Field(() => String) targetName!: string;
  @Field(() => SerialLevel, { nullable: true }) oldLevel?: SerialLevel | null;
  @Field(() => SerialLevel, { nullable: true }) newLevel?: SerialLevel | null;
  @Field(() => Int) itemsAffected!: number;
}

@ObjectType()
export class SetSerialLevelPayload {
  @Field(() => PolicyChange, { nullable: true, description: 'Null when nothing changed or on errors.' }) change?: PolicyChange | null;
  @Field(() => PolicyImpactType, { nullable: true }) impact?: PolicyImpactType | null;
  @Field(() => Classification, { nullable: true }) classification?: Classification | null;
  @Field(() => Item, { nullable: true }) item?: Item | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
}

@InputType()
export class ItemInput {
  @Field(() => String, { nullable: true }) productId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => ID, { nullable: true }) subcategoryId?: string | null;
  @Field(() => ID, { nullable: true }) vendorId?: string | null;
  @Field(() => String, { nullable: true }) style?: string | null;
  @Field(() => String, { nullable: true }) size?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => String, { nullable: true }) brand?: string | null;
  @Field(() => String, { nullable: true }) season?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) unitCost?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) retailPrice?: string | null;
  @Field(() => String, { nullable: true }) mainUpc?: string | null;
  @Field(() => [String], { nullable: true, description: 'Replaces the additional UPCs; at most 10.' }) additionalUpcs?: string[] | null;
  @Field(() => SerialLevel, { nullable: true, description: 'On create only; later changes go through setSerialLevel (audited).' })
  serialLevel?: SerialLevel | null;
  @Field(() => Boolean, { nullable: true }) serialRequiredWhenSelling?: boolean | null;
  @Field(() => Boolean, { nullable: true }) serialRequiredWhenReturning?: boolean | null;
  @Field(() => String, { nullable: true, description: 'A regular expression the whole serial must match; empty clears it.' })
  serialPattern?: string | null;
}

@InputType()
export class UpdateItemInput extends ItemInput {
  @Field(() => ID) id!: string;
  @Field(() => Boolean, { nullable: true, description: 'False deactivates the item.' }) active?: boolean | null;
}

@ObjectType()
export class ItemPayload {
  @Field(() => Item, { nullable: true }) item?: Item | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
}

@InputType()
export class ClassificationInput {
  @Field(() => ID, { nullable: true, description: 'Omit for a department.' }) parentId?: string | null;
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => SerialLevel, { nullable: true }) serialLevel?: SerialLevel | null;
}

@InputType()
export class UpdateClassificationInput {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'Moves the node; must be a node one level above.' }) parentId?: string | null;
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
}

@ObjectType()
export class ClassificationPayload {
  @Field(() => Classification, { nullable: true }) classification?: Classification | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
}

@InputType()
export class VendorInput {
  @Field(() => ID, { nullable: true, description: 'Omit to create.' }) id?: string | null;
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
}

@ObjectType()
export class VendorPayload {
  @Field(() => Vendor, { nullable: true }) vendor?: Vendor | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
}

@ObjectType()
export class ImportRowErrorType {
  @Field(() => Int, { description: 'Line in the file (the header is line 1).' }) line!: number;
  @Field(() => UserErrorCode) code!: UserErrorCode;
  @Field(() => String, { nullable: true }) field?: string | null;
  @Field(() => String) message!: string;
}

@ObjectType({ description: 'A running or finished CSV import; poll it for progress.' })
export class ImportJob {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'RUNNING, DONE or FAILED.' }) status!: string;
  @Field(() => Int) total!: number;
  @Field(() => Int) processed!: number;
  @Field(() => Int) imported!: number;
  @Field(() => Int) failed!: number;
  @Field(() => [ImportRowErrorType]) errors!: ImportRowErrorType[];
}

@ObjectType()
export class ImportPayload {
  @Field(() => ImportJob, { nullable: true }) job?: ImportJob | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
}
