/** One operation of an OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  op: Record<string, any>;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

export function operations(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) if (item[method]) out.push({ method: method.toUpperCase(), path, op: item[method] });
  }
  return out;
}

export const opKey = (o: { method: string; path: string }) => `${o.method} ${o.path}`;
