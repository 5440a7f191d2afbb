import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Codes of expected, user-fixable problems returned in mutation payloads. Append only. */
export enum UserErrorCode {
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  TOO_MANY_ATTEMPTS = 'TOO_MANY_ATTEMPTS',
  INVALID_INPUT = 'INVALID_INPUT',
  REQUIRED = 'REQUIRED',
  TOO_LONG = 'TOO_LONG',
  NOT_FOUND = 'NOT_FOUND',
  DUPLICATE = 'DUPLICATE',
  INVALID_DECIMAL = 'INVALID_DECIMAL',
  NEGATIVE_AMOUNT = 'NEGATIVE_AMOUNT',
  INVALID_UPC = 'INVALID_UPC',
  UPC_TAKEN = 'UPC_TAKEN',
  TOO_MANY_UPCS = 'TOO_MANY_UPCS',
  INVALID_PATTERN = 'INVALID_PATTERN',
  INVALID_PARENT = 'INVALID_PARENT',
  FOURTH_LEVEL = 'FOURTH_LEVEL',
  CYCLE = 'CYCLE',
  INVALID_CLASSIFICATION = 'INVALID_CLASSIFICATION',
  MALFORMED_FILE = 'MALFORMED_FILE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  TOO_MANY_ENTRIES = 'TOO_MANY_ENTRIES',
  INVALID_SERIAL = 'INVALID_SERIAL',
  DOCUMENT_NOT_OPEN = 'DOCUMENT_NOT_OPEN',
  SERIAL_COUNT_MISMATCH = 'SERIAL_COUNT_MISMATCH',
  SERIALS_NOT_ALLOWED = 'SERIALS_NOT_ALLOWED',
  SERIAL_REQUIRED = 'SERIAL_REQUIRED',
  NOTHING_TO_POST = 'NOTHING_TO_POST',
  IN_STOCK_ELSEWHERE = 'IN_STOCK_ELSEWHERE',
  IN_TRANSIT = 'IN_TRANSIT',
  NOT_IN_STOCK_HERE = 'NOT_IN_STOCK_HERE',
  INSUFFICIENT_STOCK = 'INSUFFICIENT_STOCK',
  PATTERN_MISMATCH = 'PATTERN_MISMATCH',
  LOOKS_LIKE_UPC = 'LOOKS_LIKE_UPC',
  NOT_SERIALIZED = 'NOT_SERIALIZED',
  OVER_QUANTITY = 'OVER_QUANTITY',
  CONFLICT_RETRY = 'CONFLICT_RETRY',
  WRONG_ITEM = 'WRONG_ITEM',
}
registerEnumType(UserErrorCode, { name: 'UserErrorCode', description: 'Stable codes of expected problems; the message is for people.' });

@ObjectType({ description: 'An expected problem with the input; nothing was saved when a payload carries one.', simpleResolvers: true })
export class UserError {
  @Field(() => UserErrorCode)
  code!: UserErrorCode;

  @Field(() => String, { nullable: true, description: 'Input field path, e.g. "input.lines.2.quantity".' })
  field?: string;

  @Field(() => String)
  message!: string;

  @Field(() => Int, { nullable: true, description: 'Index of the entry of a bulk input this error is about.' })
  index?: number;

  static of(code: UserErrorCode, message: string, field?: string, index?: number): UserError {
    return Object.assign(new UserError(), { code, message, field, index });
  }
}
