/**
 * Compiled request validators and response serializers, shared by every app built in one process.
 *
 * Fastify compiles each route's schemas (Ajv for requests, fast-json-stringify for responses) for
 * every instance it builds, and that compile is most of the cost of building the app (~0.3 s of
 * CPU). A server builds one app, so it changes nothing there; the test suites build one per test,
 * hundreds per process, and spent most of their time compiling the same schemas again. The route
 * schemas are module-level TypeBox objects, so the compiled function is remembered per schema
 * object (a WeakMap: a schema built afresh is simply compiled afresh) and per compiler options, and
 * compiling is a pure function of those two: the result is the function Fastify would have built.
 */
import { createRequire } from 'node:module';

/**
 * Compiled functions by schema: by identity first, then by content. Some schemas are new objects
 * on every build with the same content (Fastify lower-cases each route's header schema into a
 * copy; a few routes build theirs inline), so the content is the key that holds across builds.
 * Only schemas made of plain JSON data are keyed by content: anything else (a function, a RegExp)
 * might compile differently from its JSON text, so it is only remembered by identity.
 */
interface SchemaCache<F> {
  byObject: WeakMap<object, F>;
  byText: Map<string, F>;
}

function cacheFor<F>(caches: Map<string, SchemaCache<F>>, options: unknown): SchemaCache<F> {
  const key = JSON.stringify(options) ?? '';
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = { byObject: new WeakMap(), byText: new Map() }));
  return cache;
}

/** The schema's JSON text, or undefined when it holds anything JSON does not carry faithfully. */
function jsonText(schema: object): string | undefined {
  let plain = true;
  const text = JSON.stringify(schema, function (key, value: unknown) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) plain = false;
    else if (typeof value === 'function' || typeof value === 'bigint' || (value === undefined && key !== '')) plain = false;
    return value;
  });
  return plain ? text : undefined;
}

function remembered<S, F>(cache: SchemaCache<F>, schema: S, compile: (schema: S) => F): F {
  // Boolean schemas (`true`/`false`) cannot key a WeakMap; they are cheap to compile anyway.
  if (typeof schema !== 'object' || schema === null) return compile(schema);
  let fn = cache.byObject.get(schema);
  if (fn) return fn;
  const text = jsonText(schema);
  fn = (text !== undefined ? cache.byText.get(text) : undefined) ?? compile(schema);
  cache.byObject.set(schema, fn);
  if (text !== undefined) cache.byText.set(text, fn);
  return fn;
}

type Validator = (data: unknown) => boolean | Promise<unknown>;
const validatorCaches = new Map<string, SchemaCache<Validator>>();

/**
 * An Ajv plugin (Fastify's `ajv.plugins`) for apps whose Ajv gets `customOptions`: Ajv's own cache
 * is per instance and Fastify makes a new instance per app, so `compile` first looks in the
 * process-wide cache for the same options. Going through a plugin (not a custom validator
 * compiler) keeps Fastify's own handling of the schemas, such as lower-casing header names.
 */
export function shareCompiledValidators(customOptions: object) {
  const cache = cacheFor(validatorCaches, customOptions);
  return <A extends { compile(schema: unknown): Validator }>(ajv: A): A => {
    const compile = ajv.compile.bind(ajv);
    ajv.compile = (schema: unknown) => remembered(cache, schema, compile);
    return ajv;
  };
}

type Serializer = (doc: unknown) => string;
type SerializerFactory = (externalSchemas: unknown, serializerOpts: unknown) => (route: { schema?: unknown }) => Serializer;

const serializerCaches = new Map<string, SchemaCache<Serializer>>();
// Fastify's own default serializer factory, resolved from Fastify's folder so it is the very one
// Fastify would use.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const { SerializerSelector } = fromFastify('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => SerializerFactory };
const buildSerializerUncached = SerializerSelector();

/** Fastify's default serializer factory (`schemaController.compilersFactory.buildSerializer`), remembered per schema. */
export const sharedSerializerFactory: SerializerFactory = (externalSchemas, serializerOpts) => {
  const compile = buildSerializerUncached(externalSchemas, serializerOpts);
  const cache = cacheFor(serializerCaches, { externalSchemas, serializerOpts });
  return (route) => remembered(cache, route.schema, () => compile(route));
};
