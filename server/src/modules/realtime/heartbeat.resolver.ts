import { Resolver, Root, Subscription } from 'type-graphql';
import type { Ctx } from '../../common/context.js';
import { unauthenticated } from '../../common/errors.js';

/** Emits the server time every few seconds so consoles can show whether live updates flow. */
@Resolver()
export class HeartbeatResolver {
  @Subscription(() => String, {
    description: 'Heartbeat for the connection indicator: the server time (ISO 8601) now and every 10 seconds.',
    subscribe: ({ context }: { context: Ctx }) => {
      if (!context.viewer) unauthenticated();
      return ticker(10_000);
    },
  })
  serverTime(@Root() now: string): string {
    return now;
  }
}

async function* ticker(ms: number): AsyncGenerator<string> {
  for (;;) {
    yield new Date().toISOString();
    await new Promise((r) => setTimeout(r, ms));
  }
}
