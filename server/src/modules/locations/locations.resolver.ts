import { Arg, Authorized, Ctx as C, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { StoreScoped } from '../../common/auth.js';
import { notFound } from '../../common/errors.js';
import type { Ctx } from '../../common/context.js';
import { Register, Store } from './location.entities.js';

@Resolver(() => Store)
export class StoreResolver {
  @Authorized()
  @FieldResolver(() => [Register], { description: 'Registers of this store.' })
  async registers(@Root() store: Store, @C() ctx: Ctx): Promise<Register[]> {
    return ctx.em.find(Register, { store: store.id }, { orderBy: { code: 'asc' } });
  }
}

@Resolver()
export class LocationsQueryResolver {
  @Authorized()
  @StoreScoped('id')
  @Query(() => Store, { description: 'One store, if it is in your scope (SEC-2).' })
  async store(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Store> {
    return (await ctx.em.findOne(Store, { id: Number(id) })) ?? notFound('Store', id);
  }
}
