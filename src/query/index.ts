/**
 * The query engine's public surface, for storage and the data-source operations:
 * parse a request (parse.ts), derive and lay out columns (columns.ts, ddl.ts, text-index.ts),
 * compile to SQL (compile.ts, dialect.ts) and run it (execute.ts), or evaluate in memory
 * (evaluate.ts).
 */
export {
  type ColumnSpec,
  type ColumnValue,
  columnStem,
  deriveColumns,
  familyOf,
  propertyColumns,
  ROW_COLUMNS,
  type SchemaProperty,
} from './columns.ts';
export {
  applyOrderBy,
  type CompileContext,
  type CompiledOrder,
  compileCursor,
  compileFilter,
  compileOrderBy,
} from './compile.ts';
export {
  addPropertyColumns,
  createDataSourceTable,
  dropDataSourceTable,
  dropPropertyColumns,
  ensureDataSourceTextIndex,
} from './ddl.ts';
export { type DialectHooks, dialectHooks, postgresHooks, sqliteHooks } from './dialect.ts';
export { evaluateFilter, runQuery } from './evaluate.ts';
export { queryRows, type RowPage, type RowQueryOptions, WALK_THRESHOLD } from './execute.ts';
export type { Filter, Query, Sort } from './ir.ts';
export { type DerivedRow, rowComparator } from './keys.ts';
export { type DataSourceSchema, findProperty, type ParseOptions, parseQuery } from './parse.ts';
