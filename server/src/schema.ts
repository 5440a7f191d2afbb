import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './common/auth.js';
import { resolvers } from './resolvers.js';

let cached: Promise<GraphQLSchema> | undefined;

/** The API schema; built once per process (type-graphql's metadata is global). */
export function apiSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers,
    authChecker,
    authMode: 'error',
    validate: false,
    pubSub: createPubSub(),
  });
  return cached;
}
