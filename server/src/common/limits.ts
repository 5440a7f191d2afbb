import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import { UserError, UserErrorCode } from './user-error.js';

// The standard introspection query is 13 levels deep.
export const MAX_QUERY_DEPTH = 15;
export const MAX_QUERY_FIELDS = 1500;
/** Request body limit; a 10,000-serial paste fits comfortably. */
export const MAX_BODY = '4 MB';
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Free text a person types on a document: a note, a reason. */
export const MAX_NOTE_LENGTH = 2_000;
/** A reference from outside: an ASN reference, a vendor's RMA, a client key. */
export const MAX_REFERENCE_LENGTH = 100;

/** TOO_LONG when a text (trimmed, in characters as people count them) is over `max`, else null. */
export function tooLong(value: string | null | undefined, max: number, field: string, what: string): UserError | null {
  const text = value?.trim() ?? '';
  if (text.length <= max) return null;
  const n = [...text].length;
  return n > max
    ? UserError.of(
        UserErrorCode.TOO_LONG,
        `${what} is at most ${max.toLocaleString('en')} characters; this one has ${n.toLocaleString('en')}.`,
        field,
      )
    : null;
}

/** SEC-3: refuses operations nested deeper than MAX_QUERY_DEPTH or selecting more than MAX_QUERY_FIELDS fields. */
export function queryLimitsRule(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const measure = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): { depth: number; fields: number } => {
    if (!set) return { depth, fields: 0 };
    let maxDepth = depth;
    let fields = 0;
    // One __typename per selection set is free (Apollo Client adds it everywhere); more are
    // aliases like any other field, or they would flood for free.
    let typenameFree = true;
    for (const sel of set.selections) {
      let child: { depth: number; fields: number };
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === '__typename' && typenameFree) {
          typenameFree = false;
          continue;
        }
        child = measure(sel.selectionSet, depth + 1, seen);
        fields += 1;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        child = measure(sel.selectionSet, depth, seen);
      } else {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue;
        child = measure(frag.selectionSet, depth, new Set([...seen, frag.name.value]));
      }
      maxDepth = Math.max(maxDepth, child.depth);
      fields += child.fields;
    }
    return { depth: maxDepth, fields };
  };

  return {
    OperationDefinition(node) {
      const { depth, fields } = measure(node.selectionSet, 0, new Set());
      if (depth > MAX_QUERY_DEPTH) {
        context.reportError(
          new GraphQLError(`Query is ${depth} levels deep; the limit is ${MAX_QUERY_DEPTH}.`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP' },
          }),
        );
      }
      if (fields > MAX_QUERY_FIELDS) {
        context.reportError(
          new GraphQLError(`Query selects ${fields} fields; the limit is ${MAX_QUERY_FIELDS}.`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COMPLEX' },
          }),
        );
      }
    },
  };
}
