/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription ServerHeartbeat {\n  serverTime\n}": typeof types.ServerHeartbeatDocument,
    "fragment SessionViewer on Viewer {\n  expiresAt\n  user {\n    id\n    username\n    displayName\n    role\n    duties\n    allStores\n  }\n  stores {\n    id\n    code\n    name\n  }\n}\n\nquery Session {\n  me {\n    ...SessionViewer\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    viewer {\n      ...SessionViewer\n    }\n    userErrors {\n      code\n      field\n      message\n      index\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}": typeof types.SessionViewerFragmentDoc,
    "query HomeStores {\n  stores {\n    id\n    code\n    name\n    kind\n    timeZone\n    venue {\n      id\n      name\n    }\n  }\n}": typeof types.HomeStoresDocument,
};
const documents: Documents = {
    "subscription ServerHeartbeat {\n  serverTime\n}": types.ServerHeartbeatDocument,
    "fragment SessionViewer on Viewer {\n  expiresAt\n  user {\n    id\n    username\n    displayName\n    role\n    duties\n    allStores\n  }\n  stores {\n    id\n    code\n    name\n  }\n}\n\nquery Session {\n  me {\n    ...SessionViewer\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    viewer {\n      ...SessionViewer\n    }\n    userErrors {\n      code\n      field\n      message\n      index\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}": types.SessionViewerFragmentDoc,
    "query HomeStores {\n  stores {\n    id\n    code\n    name\n    kind\n    timeZone\n    venue {\n      id\n      name\n    }\n  }\n}": types.HomeStoresDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ServerHeartbeat {\n  serverTime\n}"): (typeof documents)["subscription ServerHeartbeat {\n  serverTime\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SessionViewer on Viewer {\n  expiresAt\n  user {\n    id\n    username\n    displayName\n    role\n    duties\n    allStores\n  }\n  stores {\n    id\n    code\n    name\n  }\n}\n\nquery Session {\n  me {\n    ...SessionViewer\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    viewer {\n      ...SessionViewer\n    }\n    userErrors {\n      code\n      field\n      message\n      index\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}"): (typeof documents)["fragment SessionViewer on Viewer {\n  expiresAt\n  user {\n    id\n    username\n    displayName\n    role\n    duties\n    allStores\n  }\n  stores {\n    id\n    code\n    name\n  }\n}\n\nquery Session {\n  me {\n    ...SessionViewer\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    viewer {\n      ...SessionViewer\n    }\n    userErrors {\n      code\n      field\n      message\n      index\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query HomeStores {\n  stores {\n    id\n    code\n    name\n    kind\n    timeZone\n    venue {\n      id\n      name\n    }\n  }\n}"): (typeof documents)["query HomeStores {\n  stores {\n    id\n    code\n    name\n    kind\n    timeZone\n    venue {\n      id\n      name\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;