// ORDER BY terms for a CTIA sort field that order rows as SQLite's json_extract does: missing
// and null first, then numbers (booleans as 0 / 1) by value, then strings (and objects and
// arrays as JSON text) in byte order. A jsonb's own ordering would differ (strings before
// numbers, by the database's collation).

/** `path`: the placeholder of the field's path as a text[]. */
export function sortTerms(path: string, order: 'asc' | 'desc'): string[] {
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const v = `(doc #> ${path}::text[])`;
  const t = `jsonb_typeof(${v})`;
  return [
    `CASE WHEN ${t} IN ('number', 'boolean') THEN 1 WHEN ${t} IN ('string', 'object', 'array') THEN 2 ELSE 0 END ${dir}`,
    `CASE ${t} WHEN 'number' THEN ${v}::numeric WHEN 'boolean' THEN CASE WHEN ${v} = 'true'::jsonb THEN 1 ELSE 0 END END ${dir}`,
    `(CASE ${t} WHEN 'string' THEN ${v} #>> '{}' WHEN 'object' THEN ${v}::text WHEN 'array' THEN ${v}::text END) COLLATE "C" ${dir}`,
  ];
}
