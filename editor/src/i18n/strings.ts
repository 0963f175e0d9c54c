/** The same keys as an English resource, every leaf a string (translations must match it). */
export type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
