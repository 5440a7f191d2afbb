import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for every operation in the console. The output in src/gql/ is committed;
// `pnpm codegen:check` fails when it is stale (e.g. after the schema or a .graphql changed).
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.graphql', 'src/**/*.{ts,vue}', '!src/gql/**/*'],
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        // Pages read fragment fields directly; the generated fragment types stay exact.
        fragmentMasking: false,
      },
      config: {
        // typescript-operations 6 replaced `enumsAsTypes: true` with this (also its default):
        // GraphQL enums become string-literal unions, no runtime enum objects.
        enumType: 'string-literal',
        useTypeImports: true,
        // A new custom scalar must be mapped here, instead of silently becoming `any`.
        strictScalars: true,
        scalars: {
          // Both travel as strings: ISO-8601 instants, and exact decimals (never floats, POL-4).
          DateTime: 'string',
          DateTimeISO: 'string',
          Decimal: 'string',
        },
      },
    },
  },
};

export default config;
