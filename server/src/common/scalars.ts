import { GraphQLScalarType, Kind } from 'graphql';

/**
 * Exact decimal as a string ("12.50"): never a float. Input is passed through as text and
 * validated by the service, so a bad value becomes a userError naming the field.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number, as a string such as "1299.99".',
  serialize: (v) => normalizeDecimal(String(v)),
  parseValue: (v) => String(v),
  parseLiteral: (ast) => (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? ast.value : ''),
});

/** Strips trailing zeros beyond two decimals: "12.5000" → "12.50", "3.1250" → "3.125". */
export function normalizeDecimal(s: string): string {
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return s;
  const frac = (m[2] ?? '').replace(/0+$/, '').padEnd(2, '0');
  return `${m[1]}.${frac}`;
}

/** A non-negative decimal with at most 4 fractional digits, or null when invalid. */
export function parseMoney(s: string | undefined | null): string | null {
  if (s == null) return null;
  const t = String(s).trim();
  return /^\d{1,10}(\.\d{1,4})?$/.test(t) ? t : null;
}
