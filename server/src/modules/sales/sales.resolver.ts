import {
  Arg,
  Authorized,
  Ctx as C,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  registerEnumType,
} from 'type-graphql';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { requireStore, StoreScoped } from '../../common/auth.js';
import { fail, notFound } from '../../common/errors.js';
import { transact } from '../../common/idempotency.js';
import { documentAction } from '../../common/document-action.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { Role } from '../auth/user.entity.js';
import { Item } from '../catalog/catalog.entities.js';
import { Register, Store } from '../locations/location.entities.js';
import type { Fulfilment, SaleRow } from './sales.service.js';

export enum FulfilmentMode {
  CARRY_OUT = 'CARRY_OUT',
  PICKUP = 'PICKUP',
  DELIVERY = 'DELIVERY',
}
registerEnumType(FulfilmentMode, {
  name: 'FulfilmentMode',
  description: 'SAL-4: carry-out lines need their serial at completion; pickup and delivery lines at fulfilment.',
});

export enum SerialStatus {
  GIVEN = 'GIVEN',
  PENDING = 'PENDING',
  NOT_READABLE = 'NOT_READABLE',
  NOT_REQUIRED = 'NOT_REQUIRED',
  NOT_SERIALIZED = 'NOT_SERIALIZED',
}
registerEnumType(SerialStatus, {
  name: 'SerialStatus',
  description: 'PENDING = "add later" (SAL-3); NOT_READABLE = registered as unreadable (SAL-5).',
});

@ObjectType({ description: 'A customer (number and name appear in the serial history).' })
export class Customer {
  @Field(() => ID) id!: string;
  @Field(() => String) number!: string;
  @Field(() => String) name!: string;
}

@ObjectType({ description: 'A sale at a store and register (SAL-1..5).' })
export class Sale {
  @Field(() => ID) id!: string;
  @Field(() => String) number!: string;
  @Field(() => String, { description: 'OPEN, COMPLETED or VOIDED.' }) status!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) completedAt?: Date | null;
  storeId!: number;
  registerId?: number | null;
  customerId?: number | null;
}

@ObjectType({ description: 'One line; a serialized unit always has its own line (SAL-1).' })
export class SaleLine {
  @Field(() => ID) id!: string;
  @Field(() => Int) lineNo!: number;
  @Field(() => Int) quantity!: number;
  @Field(() => String, { nullable: true }) serial?: string | null;
  @Field(() => SerialStatus) serialStatus!: SerialStatus;
  @Field(() => FulfilmentMode) fulfilment!: FulfilmentMode;
  @Field(() => Boolean) fulfilled!: boolean;
  @Field(() => Boolean) voided!: boolean;
  itemId!: number;
}

@ObjectType({ description: 'RET-1: what the system knows of a serial: its original sale when sold.' })
export class SerialSaleLookup {
  @Field(() => String) serial!: string;
  @Field(() => Item) item!: Item;
  @Field(() => String, { description: 'The unit state now.' }) state!: string;
  @Field(() => String, { nullable: true }) storeCode?: string | null;
  @Field(() => Sale, { nullable: true, description: 'The sale that sold it, when it is SOLD.' }) sale?: Sale | null;
  @Field(() => Date, { nullable: true }) soldAt?: Date | null;
}

@InputType()
export class CreateSaleInput {
  @Field(() => ID) storeId!: string;
  @Field(() => ID, { nullable: true }) registerId?: string | null;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class AddSaleLineInput {
  @Field(() => ID) saleId!: string;
  @Field(() => String, { description: 'UPC (main or additional) or product id.' }) code!: string;
  @Field(() => String, { nullable: true }) serial?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'SAL-3: add the line now, the serial before completion.' }) addLater?:
    boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'SAL-5: the serial is there but cannot be read (needs the duty; not for items that require a serial).',
  })
  notReadable?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'Never-serialized items only.' }) quantity?: number | null;
  @Field(() => FulfilmentMode, { nullable: true }) fulfilment?: FulfilmentMode | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class SaleLineSerialInput {
  @Field(() => ID) saleId!: string;
  @Field(() => ID) lineId!: string;
  @Field(() => String, { nullable: true }) serial?: string | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class SaleActionInput {
  @Field(() => ID) saleId!: string;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class ReturnLineInput {
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => String, { nullable: true }) serial?: string | null;
  @Field(() => Int, { nullable: true }) quantity?: number | null;
}

@InputType()
export class ReturnItemsInput {
  @Field(() => ID) storeId!: string;
  @Field(() => ID, { nullable: true }) registerId?: string | null;
  @Field(() => [ReturnLineInput]) lines!: ReturnLineInput[];
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class CustomerInput {
  @Field(() => String) number!: string;
  @Field(() => String) name!: string;
}

@ObjectType()
export class SalePayload {
  @Field(() => Sale, { nullable: true }) sale?: Sale | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

@ObjectType()
export class ReturnPayload {
  @Field(() => String, { nullable: true, description: 'The return document number, e.g. RTN-000001.' }) number?: string | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

@ObjectType()
export class CustomerPayload {
  @Field(() => Customer, { nullable: true }) customer?: Customer | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
}

const SELLERS = [Role.CLERK, Role.STORE_MANAGER];

@Resolver(() => Sale)
export class SaleResolver {
  @Authorized()
  @Query(() => Sale)
  async sale(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Sale> {
    const s = (await loadSale(ctx.pool, Number(id))) ?? notFound('Sale', id);
    requireStore(ctx, s.storeId);
    return s;
  }

  @Authorized()
  @Query(() => [Customer], { description: 'Customers by number or name.' })
  async customers(@C() ctx: Ctx, @Arg('search', () => String, { nullable: true }) search?: string): Promise<Customer[]> {
    const { rows } = await ctx.pool.query(
      `select id::text, number, name from customer where $1::text is null or number ilike '%' || $1 || '%' or name ilike '%' || $1 || '%' order by number limit 100`,
      [search?.trim() || null],
    );
    return rows;
  }

  @Authorized(...SELLERS)
  @Mutation(() => CustomerPayload)
  async createCustomer(@Arg('input', () => CustomerInput) input: CustomerInput, @C() ctx: Ctx): Promise<CustomerPayload> {
    if (!input.number.trim() || !input.name.trim())
      return {
        userErrors: [UserError.of(E.REQUIRED, 'Number and name are required.', input.number.trim() ? 'input.name' : 'input.number')],
      };
    try {
      const { rows } = await ctx.pool.query(`insert into customer (number, name) values ($1, $2) returning id::text, number, name`, [
        input.number.trim(),
        input.name.trim(),
      ]);
      return { customer: rows[0], userErrors: [] };
    } catch (e) {
      if ((e as { code?: string }).code === '23505')
        return { userErrors: [UserError.of(E.DUPLICATE, `Customer number ${input.number} is taken.`, 'input.number')] };
      throw e;
    }
  }

  @Authorized()
  @Query(() => [SerialSaleLookup], {
    description: 'RET-1: look a serial up: its original sale (date, store, register, customer), or where it is when not sold.',
  })
  async serialSale(@Arg('serial', () => String) serial: string, @C() ctx: Ctx): Promise<SerialSaleLookup[]> {
    const rows = await ctx.services.sales.lookupSale(ctx.pool, serial);
    const items = await ctx.em.find(Item, { id: { $in: rows.map((r) => r.item_id) } });
    return Promise.all(
      rows.map(async (r) => ({
        serial: r.serial,
        item: items.find((i) => i.id === r.item_id)!,
        state: r.state,
        storeCode: r.store_code,
        sale: r.state === 'SOLD' && r.sale_id ? await loadSale(ctx.pool, r.sale_id) : null,
        soldAt: r.state === 'SOLD' ? r.occurred_at : null,
      })),
    );
  }

  @FieldResolver(() => Store)
  async store(@Root() s: Sale, @C() ctx: Ctx): Promise<Store> {
    return (await ctx.em.findOne(Store, { id: s.storeId }))!;
  }

  @FieldResolver(() => Register, { nullable: true })
  async register(@Root() s: Sale, @C() ctx: Ctx): Promise<Register | null> {
    return s.registerId ? ctx.em.findOne(Register, { id: s.registerId }) : null;
  }

  @FieldResolver(() => Customer, { nullable: true })
  async customer(@Root() s: Sale, @C() ctx: Ctx): Promise<Customer | null> {
    if (!s.customerId) return null;
    return (await ctx.pool.query(`select id::text, number, name from customer where id = $1`, [s.customerId])).rows[0] ?? null;
  }

  @FieldResolver(() => [SaleLine])
  async lines(@Root() s: Sale, @C() ctx: Ctx): Promise<SaleLine[]> {
    return (await ctx.services.sales.lines(ctx.pool, Number(s.id))).map((l) => ({
      id: String(l.id),
      lineNo: l.line_no,
      quantity: l.quantity,
      serial: l.serial,
      serialStatus: l.serial_status as SerialStatus,
      fulfilment: l.fulfilment as FulfilmentMode,
      fulfilled: l.fulfilled,
      voided: l.voided,
      itemId: l.item_id,
    }));
  }

  @FieldResolver(() => [UserError], { description: 'What stops completion now: lines missing serials (SAL-3).' })
  async completionBlockers(@Root() s: Sale, @C() ctx: Ctx): Promise<UserError[]> {
    return s.status === 'OPEN' ? ctx.services.sales.completionBlockers(ctx.pool, Number(s.id)) : [];
  }

  @Authorized(...SELLERS)
  @StoreScoped('input.storeId')
  @Mutation(() => SalePayload)
  async createSale(@Arg('input', () => CreateSaleInput) input: CreateSaleInput, @C() ctx: Ctx): Promise<SalePayload> {
    const { clientKey, ...request } = input;
    return transact<SalePayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'createSale',
        request,
        replay: (s) => replay(ctx, s),
        reused: (e) => ({ userErrors: [e], replayed: false }),
      },
      async (db) => {
        const register = await ctx.services.sales.registerProblem(db, input.registerId || null, input.storeId);
        if (register) return { result: { userErrors: [register], replayed: false }, commit: false };
        if (input.customerId && !(await db.query(`select 1 from customer where id = $1`, [input.customerId])).rowCount) {
          return {
            result: {
              userErrors: [UserError.of(E.NOT_FOUND, `Customer ${input.customerId} does not exist.`, 'input.customerId')],
              replayed: false,
            },
            commit: false,
          };
        }
        const { rows } = await db.query(
          `insert into sale (number, store_id, register_id, customer_id, created_by) values ('SAL-' || lpad(nextval('sale_number_seq')::text, 6, '0'), $1, $2, $3, $4) returning id`,
          [input.storeId, input.registerId ?? null, input.customerId ?? null, ctx.viewer!.userId],
        );
        return {
          result: { sale: await loadSale(db, rows[0].id), userErrors: [], replayed: false },
          commit: true,
          stored: { saleId: rows[0].id },
        };
      },
    );
  }

  @Authorized(...SELLERS)
  @Mutation(() => SalePayload, {
    description: 'Adds a line: a serial now, "add later" (SAL-3), "not readable" (SAL-5), or a quantity for never-serialized items.',
  })
  async addSaleLine(@Arg('input', () => AddSaleLineInput) input: AddSaleLineInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'addSaleLine', input, ['OPEN'], (db, s) =>
      ctx.services.sales.addLine(ctx, db, s, { ...input, fulfilment: input.fulfilment as Fulfilment | null }),
    );
  }

  @Authorized(...SELLERS)
  @Mutation(() => SalePayload, {
    description: 'Gives the serial of a line added with "add later". A given serial cannot be edited: void the line (SAL-3).',
  })
  async setSaleLineSerial(@Arg('input', () => SaleLineSerialInput) input: SaleLineSerialInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'setSaleLineSerial', input, ['OPEN', 'COMPLETED'], (db, s) =>
      input.serial
        ? ctx.services.sales.setSerial(db, s, Number(input.lineId), input.serial)
        : Promise.resolve([UserError.of(E.REQUIRED, 'Give the serial.', 'input.serial')]),
    );
  }

  @Authorized(...SELLERS)
  @Mutation(() => SalePayload)
  async voidSaleLine(@Arg('input', () => SaleLineSerialInput) input: SaleLineSerialInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'voidSaleLine', input, ['OPEN'], async (db, s) => {
      const r = await db.query(`update sale_line set voided = true where id = $1 and sale_id = $2 and not voided`, [input.lineId, s.id]);
      return r.rowCount ? [] : [UserError.of(E.NOT_FOUND, `Line ${input.lineId} is not an active line of this sale.`, 'input.lineId')];
    });
  }

  @Authorized(...SELLERS)
  @Mutation(() => SalePayload, { description: 'Cancels an open sale (status VOIDED); nothing it listed leaves stock.' })
  async cancelSale(@Arg('input', () => SaleActionInput) input: SaleActionInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'cancelSale', input, ['OPEN'], async (db, s) => {
      await db.query(`update sale set status = 'VOIDED' where id = $1`, [s.id]);
      return [];
    });
  }

  @Authorized()
  @StoreScoped('storeId')
  @Query(() => [Sale], { description: 'Open sales, and completed customer orders with lines still to hand over (SAL-4), at a store.' })
  async openSales(@Arg('storeId', () => ID) storeId: string, @C() ctx: Ctx): Promise<Sale[]> {
    const { rows } = await ctx.pool.query(
      `select s.id from sale s where s.store_id = $1 and (s.status = 'OPEN' or (s.status = 'COMPLETED' and exists (
         select 1 from sale_line l where l.sale_id = s.id and not l.voided and not l.fulfilled))) order by s.id desc limit 200`,
      [storeId],
    );
    return (await Promise.all(rows.map((r) => loadSale(ctx.pool, r.id)))) as Sale[];
  }

  @Authorized(...SELLERS)
  @Mutation(() => SalePayload, {
    description: 'SAL-2: completes the sale; carry-out units go SOLD. Refused with the lines still missing serials.',
  })
  async completeSale(@Arg('input', () => SaleActionInput) input: SaleActionInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'completeSale', input, ['OPEN'], (db, s) => ctx.services.sales.complete(ctx, db, s));
  }

  @Authorized(...SELLERS)
  @Mutation(() => SalePayload, { description: 'SAL-4: hands over a pickup/delivery line, with its serial.' })
  async fulfilSaleLine(@Arg('input', () => SaleLineSerialInput) input: SaleLineSerialInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'fulfilSaleLine', input, ['COMPLETED'], (db, s) =>
      ctx.services.sales.fulfil(ctx, db, s, Number(input.lineId), input.serial),
    );
  }

  @Authorized()
  @Mutation(() => SalePayload, { description: 'SAL-5: fills in a serial registered as not readable (serial corrections duty).' })
  async correctSaleLineSerial(@Arg('input', () => SaleLineSerialInput) input: SaleLineSerialInput, @C() ctx: Ctx): Promise<SalePayload> {
    return this.act(ctx, 'correctSaleLineSerial', input, ['OPEN', 'COMPLETED'], (db, s) =>
      input.serial
        ? ctx.services.sales.correctSerial(ctx, db, s, Number(input.lineId), input.serial)
        : Promise.resolve([UserError.of(E.REQUIRED, 'Give the serial.', 'input.serial')]),
    );
  }

  @Authorized(...SELLERS)
  @StoreScoped('input.storeId')
  @Mutation(() => ReturnPayload, { description: 'RET-1: sold units (and quantities) come back into this store.' })
  async returnItems(@Arg('input', () => ReturnItemsInput) input: ReturnItemsInput, @C() ctx: Ctx): Promise<ReturnPayload> {
    const { clientKey, ...request } = input;
    if (input.lines.length > 1000) fail('BAD_USER_INPUT', 'At most 1,000 lines per return.', { field: 'input.lines' });
    return transact<ReturnPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'returnItems',
        request,
        replay: async (s) => ({
          number: (await ctx.pool.query(`select number from customer_return where id = $1`, [s.returnId])).rows[0]?.number,
          userErrors: [],
          replayed: true,
        }),
        reused: (e) => ({ userErrors: [e], replayed: false }),
      },
      async (db) => {
        const r = await ctx.services.sales.returnItems(ctx, db, {
          storeId: Number(input.storeId),
          registerId: input.registerId ? Number(input.registerId) : null,
          lines: input.lines,
        });
        if (!r.id) return { result: { userErrors: r.errors, replayed: false }, commit: false };
        const number = (await db.query(`select number from customer_return where id = $1`, [r.id])).rows[0].number;
        return { result: { number, userErrors: [], replayed: false }, commit: true, stored: { returnId: r.id } };
      },
    );
  }

  private act(
    ctx: Ctx,
    operation: string,
    input: { saleId: string; clientKey?: string | null },
    allowed: SaleRow['status'][],
    fn: (db: pg.PoolClient, s: SaleRow) => Promise<UserError[]>,
  ): Promise<SalePayload> {
    const { clientKey, ...request } = input;
    const id = Number(input.saleId);
    return documentAction<SaleRow, SalePayload>(ctx, {
      operation,
      clientKey,
      request,
      documentId: id,
      lock: (db) => ctx.services.sales.lockSale(ctx, db, id, allowed),
      apply: fn,
      answer: async (db, userErrors, replayed) => ({ sale: await loadSale(db, id), userErrors, replayed }),
      refused: (e) => ({ userErrors: [e], replayed: false }),
    });
  }
}

@Resolver(() => SaleLine)
export class SaleLineResolver {
  @FieldResolver(() => Item)
  async item(@Root() l: SaleLine, @C() ctx: Ctx): Promise<Item> {
    return (await ctx.em.findOne(Item, { id: l.itemId }))!;
  }
}

async function replay(ctx: Ctx, stored: { saleId: number }): Promise<SalePayload> {
  return { sale: await loadSale(ctx.pool, stored.saleId), userErrors: [], replayed: true };
}

export async function loadSale(db: pg.Pool | pg.PoolClient, id: number): Promise<Sale | null> {
  const { rows } = await db.query(`select * from sale where id = $1`, [id]);
  const r = rows[0];
  if (!r) return null;
  return Object.assign(new Sale(), {
    id: String(r.id),
    number: r.number,
    status: r.status,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    storeId: r.store_id,
    registerId: r.register_id,
    customerId: r.customer_id,
  });
}
