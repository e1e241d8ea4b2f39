/**
 * Reads the operations Kassa serves from its own GET /openapi.json, so the reliability suites cover
 * every route — including routes added after they were written — without a hand-kept list.
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  $ref?: string;
  default?: unknown;
  example?: unknown;
  examples?: unknown;
  description?: string;
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI template: /payments/v1/sessions/{session_id} */
  path: string;
  /** The Fastify pattern, for messages: /payments/v1/sessions/:session_id */
  route: string;
  summary: string;
  tags: string[];
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  body?: JsonSchema;
  bodyRequired: boolean;
  /** Status codes the operation documents. */
  responses: string[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined => (schema ? resolveRefs(schema, doc) : undefined);
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params: Parameter[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => ({
        name: p.name,
        in: p.in,
        required: Boolean(p.required),
        schema: resolve(p.schema) ?? {},
      }));
      const content = op.requestBody?.content ?? {};
      const bodySchema = content['application/json']?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        route: path.replace(/\{([^}]+)\}/g, ':$1'),
        summary: op.summary ?? '',
        tags: op.tags ?? [],
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        headerParams: params.filter((p) => p.in === 'header'),
        body: resolve(bodySchema),
        bodyRequired: Boolean(op.requestBody?.required),
        responses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return ops.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}

/** Inlines local $refs (#/components/schemas/X), guarding against cycles. */
export function resolveRefs(schema: JsonSchema, doc: OpenApiDoc, seen: Set<string> = new Set()): JsonSchema {
  if (schema === null || typeof schema !== 'object') return schema;
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    if (seen.has(name)) return {};
    const target = doc.components?.schemas?.[name];
    return target ? resolveRefs(target, doc, new Set([...seen, name])) : {};
  }
  const out: any = Array.isArray(schema) ? [] : {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = v && typeof v === 'object' ? resolveRefs(v as JsonSchema, doc, seen) : v;
  }
  return out;
}

/** Fills a path template: /orders/{order_id} + {order_id: 'x'} -> /orders/x (values URL-encoded). */
export function fillPath(path: string, values: Record<string, string>, encode = true): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name] ?? 'missing';
    return encode ? encodeURIComponent(v) : v;
  });
}

export const operationKey = (op: Pick<Operation, 'method' | 'path'>): string => `${op.method} ${op.path}`;

/**
 * Routes hidden from /openapi.json (browser pages, the journey's JSON endpoints, the demo shop) as
 * operations, from the app's route table, so the suites cover them too.
 */
export function hiddenOperations(routes: readonly { method: string; url: string; schema?: Record<string, unknown> }[]): Operation[] {
  const plain = (s: unknown): JsonSchema | undefined => (s === undefined ? undefined : (JSON.parse(JSON.stringify(s)) as JsonSchema));
  const ops: Operation[] = [];
  for (const r of routes) {
    if (r.method === 'HEAD' || r.schema?.hide !== true) continue;
    const params = plain(r.schema.params);
    const headers = plain(r.schema.headers);
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const toParams = (s: JsonSchema | undefined, where: Parameter['in']): Parameter[] =>
      Object.entries(s?.properties ?? {}).map(([name, schema]) => ({ name, in: where, required: Boolean(s?.required?.includes(name)), schema }));
    ops.push({
      method: r.method,
      path,
      route: r.url,
      summary: '(hidden from /openapi.json)',
      tags: ['hidden'],
      pathParams: toParams(params, 'path'),
      queryParams: toParams(plain(r.schema.querystring), 'query'),
      headerParams: toParams(headers, 'header'),
      body: plain(r.schema.body),
      bodyRequired: r.schema.body !== undefined,
      responses: Object.keys((r.schema.response as object | undefined) ?? {}),
    });
  }
  return ops.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}
