import { Arg, Ctx as C, Field, InputType, Mutation, ObjectType, Query, Resolver, Authorized } from 'type-graphql';
import { serialize as serializeCookie } from 'cookie';
import type { Ctx } from '../../common/context.js';
import { visibleStores } from '../../common/ref-loaders.js';
import { UserError, UserErrorCode } from '../../common/user-error.js';
import { Store } from '../locations/location.entities.js';
import { User } from './user.entity.js';
import { SESSION_COOKIE } from './auth.service.js';

@ObjectType('Viewer', { description: 'The signed-in user and the stores they may act on.' })
export class ViewerInfo {
  @Field(() => User)
  user!: User;

  @Field(() => [Store], { description: 'Stores in scope; every store for users with all-store access.' })
  stores!: Store[];

  @Field(() => String, { description: 'When the session expires (ISO 8601).' })
  expiresAt!: string;
}

@InputType()
class SignInInput {
  @Field(() => String)
  username!: string;

  @Field(() => String)
  password!: string;
}

@ObjectType()
class SignInPayload {
  @Field(() => String, { nullable: true, description: 'Bearer token for API clients; the console uses the httpOnly cookie.' })
  token?: string;

  @Field(() => ViewerInfo, { nullable: true })
  viewer?: ViewerInfo;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@Resolver(() => User)
export class AuthResolver {
  @Query(() => ViewerInfo, { nullable: true, description: 'The signed-in user, or null when the request carries no valid session.' })
  async me(@C() ctx: Ctx): Promise<ViewerInfo | null> {
    if (!ctx.viewer) return null;
    return this.viewerInfo(ctx);
  }

  @Mutation(() => SignInPayload, { description: 'Signs in; sets an httpOnly session cookie and returns a bearer token for API clients.' })
  async signIn(@Arg('input', () => SignInInput) input: SignInInput, @C() ctx: Ctx): Promise<SignInPayload> {
    const payload = new SignInPayload();
    if (!input.username.trim() || !input.password) {
      payload.userErrors.push(
        UserError.of(
          UserErrorCode.REQUIRED,
          'Enter a username and a password.',
          input.username.trim() ? 'input.password' : 'input.username',
        ),
      );
      return payload;
    }
    const result = await ctx.services.auth.signIn(ctx, input.username, input.password);
    if ('error' in result) {
      payload.userErrors.push(
        result.error === 'LOCKED'
          ? UserError.of(
              UserErrorCode.TOO_MANY_ATTEMPTS,
              `Too many failed sign-ins for this user: try again in ${result.retryAfterSeconds} s.`,
            )
          : UserError.of(UserErrorCode.INVALID_CREDENTIALS, 'Unknown username or wrong password.'),
      );
      return payload;
    }
    ctx.viewer = result.viewer;
    ctx.res?.appendHeader(
      'set-cookie',
      serializeCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.services.config.secureCookies,
        expires: result.viewer.expiresAt,
        path: '/',
      }),
    );
    payload.token = result.token;
    payload.viewer = await this.viewerInfo(ctx);
    return payload;
  }

  @Mutation(() => Boolean, { description: 'Ends the current session.' })
  async signOut(@C() ctx: Ctx): Promise<boolean> {
    await ctx.services.auth.signOut(ctx);
    ctx.res?.appendHeader('set-cookie', serializeCookie(SESSION_COOKIE, '', { path: '/', expires: new Date(0) }));
    return true;
  }

  @Authorized()
  @Query(() => [Store], { description: 'Stores visible to the signed-in user (SEC-2).' })
  async stores(@C() ctx: Ctx): Promise<Store[]> {
    return this.visibleStores(ctx);
  }

  @Authorized()
  @Query(() => [Store], {
    description: 'Every active store, e.g. to choose the destination of a transfer. Acting on a store still needs it in your scope.',
  })
  async storeDirectory(@C() ctx: Ctx): Promise<Store[]> {
    return ctx.em.find(Store, { active: true }, { orderBy: { code: 'asc' } });
  }

  private async viewerInfo(ctx: Ctx): Promise<ViewerInfo> {
    const viewer = ctx.viewer!;
    return Object.assign(new ViewerInfo(), {
      user: viewer.user,
      stores: await this.visibleStores(ctx),
      expiresAt: viewer.expiresAt.toISOString(),
    });
  }

  private async visibleStores(ctx: Ctx): Promise<Store[]> {
    return visibleStores(ctx, ctx.viewer!.storeIds);
  }
}
