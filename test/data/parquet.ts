import { parquetWriteBuffer } from "hyparquet-writer";

/**
 * Writes small Parquet files in the layouts the hub's converted datasets use
 * (strings, int64, list<string>, struct), for tests.
 */
export type Field =
  | { name: string; type: "string" | "int64" }
  | { name: string; type: "list" }
  | { name: string; type: "struct"; fields: Field[] };

type SchemaElement = Parameters<typeof parquetWriteBuffer>[0]["schema"] extends
  | (infer S)[]
  | undefined
  ? S
  : never;

function elements(field: Field): SchemaElement[] {
  switch (field.type) {
    case "string":
      return [
        {
          name: field.name,
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: "OPTIONAL",
        },
      ];
    case "int64":
      return [{ name: field.name, type: "INT64", repetition_type: "OPTIONAL" }];
    case "list":
      return [
        { name: field.name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        {
          name: "element",
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: "OPTIONAL",
        },
      ];
    case "struct":
      return [
        { name: field.name, repetition_type: "OPTIONAL", num_children: field.fields.length },
        ...field.fields.flatMap(elements),
      ];
  }
}

/** Rows → Parquet bytes; int64 values may be given as numbers. */
export function parquet(fields: Field[], rows: Record<string, unknown>[]): Uint8Array {
  const columnData = fields.map((f) => ({
    name: f.name,
    data: rows.map((r) => (f.type === "int64" ? BigInt(r[f.name] as number) : r[f.name])),
  }));
  const schema: SchemaElement[] = [
    { name: "root", num_children: fields.length },
    ...fields.flatMap(elements),
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData, schema }));
}
