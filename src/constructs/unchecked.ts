// The escape hatch for one value: what the generated types refuse but the Databricks CLI accepts (an enum value
// newer than the schema, a field the bundle must leave unset). The value goes into the bundle as given;
// validate still checks it against the schema.

/** `value`, accepted wherever a typed value is expected. */
export function unchecked<T>(value: unknown): T {
  return value as T;
}
