import { Collection } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum StoreKind {
  STORE = 'STORE',
  WAREHOUSE = 'WAREHOUSE',
}
registerEnumType(StoreKind, { name: 'StoreKind', description: 'A warehouse is a store that does not sell (POL-5).' });

@ObjectType({ description: 'A group of stores, e.g. a region or a banner (POL-5).' })
@Entity({ tableName: 'venue' })
export class Venue {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Field(() => String)
  @Property({ type: 'text', unique: true })
  name!: string;
}

@ObjectType({ description: 'A place that holds stock. Every store has a time zone used by reports.' })
@Entity({ tableName: 'store' })
export class Store {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Field(() => Venue)
  @ManyToOne({ entity: () => Venue, eager: true })
  venue!: Venue;

  @Field(() => String, { description: 'Short store code, e.g. S001.' })
  @Property({ type: 'text', unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  @Field(() => StoreKind)
  @Enum({ items: () => StoreKind })
  kind: StoreKind = StoreKind.STORE;

  @Field(() => String, { description: 'IANA time zone, e.g. America/New_York.' })
  @Property({ type: 'text' })
  timeZone!: string;

  @Property({ type: 'boolean' })
  active = true;

  @OneToMany({ entity: () => Register, mappedBy: 'store' })
  registers = new Collection<Register>(this);
}

@ObjectType({ description: 'A point-of-sale register in a store.' })
@Entity({ tableName: 'register' })
export class Register {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne({ entity: () => Store })
  store!: Store;

  @Field(() => String)
  @Property({ type: 'text' })
  code!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;
}
