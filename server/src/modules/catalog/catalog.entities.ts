import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar } from '../../common/scalars.js';

/** POL-1 serialization levels. */
export enum SerialLevel {
  ALWAYS = 'ALWAYS',
  SOMETIMES = 'SOMETIMES',
  NEVER = 'NEVER',
}
registerEnumType(SerialLevel, {
  name: 'SerialLevel',
  description:
    'POL-1: ALWAYS = a serial on every movement; SOMETIMES = optional, with per-item flags for sale and return; NEVER = quantities only.',
});

export enum ClassificationLevel {
  DEPARTMENT = 'DEPARTMENT',
  CATEGORY = 'CATEGORY',
  SUBCATEGORY = 'SUBCATEGORY',
}
registerEnumType(ClassificationLevel, { name: 'ClassificationLevel' });

@ObjectType({ description: 'A supplier of items.' })
@Entity({ tableName: 'vendor' })
export class Vendor {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Field(() => String)
  @Property({ type: 'text' })
  code!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  active = true;
}

@ObjectType({ description: 'A node of the Department > Category > Subcategory tree (POL-2).' })
@Entity({ tableName: 'classification' })
export class Classification {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Field(() => ClassificationLevel)
  @Enum({ items: () => ClassificationLevel })
  level!: ClassificationLevel;

  @Property({ type: 'integer', nullable: true })
  parentId?: number | null;

  @Property({ type: 'text', nullable: true })
  parentLevel?: ClassificationLevel | null;

  @Field(() => String)
  @Property({ type: 'text' })
  code!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  @Field(() => SerialLevel, { nullable: true, description: "This node's own level; null = inherited from above." })
  @Enum({ items: () => SerialLevel, nullable: true })
  serialLevel?: SerialLevel | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  active = true;
}

@ObjectType({ description: 'A sellable product (POL-4).' })
@Entity({ tableName: 'item' })
export class Item {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Field(() => String, { description: 'Unique product id (SKU).' })
  @Property({ type: 'text' })
  productId!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  description = '';

  @Property({ type: 'integer' })
  subcategoryId!: number;

  @Property({ type: 'integer' })
  categoryId!: number;

  @Property({ type: 'integer' })
  departmentId!: number;

  @ManyToOne({ entity: () => Vendor, nullable: true, fieldName: 'vendor_id' })
  vendor?: Vendor | null;

  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) style?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) size?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) color?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) brand?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) season?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) team?: string | null;

  @Field(() => DecimalScalar, { description: 'Exact decimal, as a string.' })
  @Property({ type: 'decimal', precision: 14, scale: 4 })
  unitCost = '0';

  @Field(() => DecimalScalar, { description: 'Exact decimal, as a string.' })
  @Property({ type: 'decimal', precision: 14, scale: 4 })
  retailPrice = '0';

  @Field(() => SerialLevel, { nullable: true, description: "The item's own override; null = inherited from its classification." })
  @Enum({ items: () => SerialLevel, nullable: true })
  serialLevel?: SerialLevel | null;

  @Field(() => Boolean, { description: 'SOMETIMES items: a serial is required when selling.' })
  @Property({ type: 'boolean', fieldName: 'serial_required_on_sale' })
  serialRequiredWhenSelling = false;

  @Field(() => Boolean, { description: 'SOMETIMES items: a serial is required when returning.' })
  @Property({ type: 'boolean', fieldName: 'serial_required_on_return' })
  serialRequiredWhenReturning = false;

  @Field(() => String, { nullable: true, description: 'Serial format as a regular expression that the whole serial must match.' })
  @Property({ type: 'text', nullable: true })
  serialPattern?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  active = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

@Entity({ tableName: 'item_upc' })
export class ItemUpc {
  @PrimaryKey({ type: 'text' })
  upc!: string;

  @Property({ type: 'integer' })
  itemId!: number;

  @Property({ type: 'boolean' })
  isMain!: boolean;

  @Property({ type: 'integer' })
  position = 0;
}
