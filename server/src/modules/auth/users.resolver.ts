import { Authorized, Ctx as C, Query, Resolver } from 'type-graphql';
import type { Ctx } from '../../common/context.js';
import { Role, User } from './user.entity.js';

@Resolver(() => User)
export class UsersResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [User], { description: 'Every user (admin only).' })
  async users(@C() ctx: Ctx): Promise<User[]> {
    return ctx.em.find(User, {}, { orderBy: { username: 'asc' } });
  }
}
