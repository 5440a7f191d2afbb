/** True when every variable of an operation may be omitted (it declares no required one). */
export type VariablesOptional<TVariables> = Record<string, never> extends TVariables ? true : false;
