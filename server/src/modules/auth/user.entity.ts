import { Collection } from '@mikro-orm/core';
import { Entity, Enum, ManyToMany, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Store } from '../locations/location.entities.js';

/** SEC-1 roles. */
export enum Role {
  ADMIN = 'ADMIN',
  MERCHANDISER = 'MERCHANDISER',
  STORE_MANAGER = 'STORE_MANAGER',
  CLERK = 'CLERK',
  REPORT_VIEWER = 'REPORT_VIEWER',
}
registerEnumType(Role, { name: 'Role' });

/** SEC-1 duties from seed 001. */
export enum Duty {
  SERIAL_CORRECTIONS = 'SERIAL_CORRECTIONS',
  NOT_READABLE_REGISTRATION = 'NOT_READABLE_REGISTRATION',
}
registerEnumType(Duty, { name: 'Duty' });

@ObjectType({ description: 'A person who signs in to SerialDesk.' })
@Entity({ tableName: 'app_user' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Field(() => String)
  @Property({ type: 'text' })
  username!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  displayName!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Field(() => Role)
  @Enum({ items: () => Role })
  role!: Role;

  @Field(() => [Duty])
  @Property({ type: 'text[]' })
  duties: Duty[] = [];

  @Field(() => Boolean, { description: 'True when the user may act on every store (SEC-2).' })
  @Property({ type: 'boolean' })
  allStores = false;

  @Property({ type: 'boolean' })
  active = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @ManyToMany({ entity: () => Store, pivotTable: 'user_store', joinColumn: 'user_id', inverseJoinColumn: 'store_id' })
  stores = new Collection<Store>(this);
}

@Entity({ tableName: 'user_session' })
export class UserSession {
  @PrimaryKey({ type: 'text' })
  tokenHash!: string;

  @ManyToOne({ entity: () => User })
  user!: User;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;
}
