/**
 * Serves the browser side of Kassa (SDK, widget and journey pages, demo shop) from src/web/static.
 * Files are read once and kept in memory (they are a few kilobytes). Only names matching a strict
 * pattern are served, so no request can reach outside the folder. Pages carry a Content Security
 * Policy that allows nothing but Kassa's own origin: they work offline and load nothing from
 * elsewhere. Kassa's pages may be framed by any merchant page (that is how the widget works).
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { KassaError } from '../domain/errors.js';

const root = fileURLToPath(new URL('./static/', import.meta.url));
const cache = new Map<string, Buffer>();

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A file name the static routes may serve: lower-case words, one extension we know. */
export const staticNamePattern = /^[a-z0-9][a-z0-9_-]*\.(?:html|js|css|svg)$/;

const pagePolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  'frame-ancestors *',
].join('; ');

async function load(relative: string): Promise<Buffer | undefined> {
  const hit = cache.get(relative);
  if (hit) return hit;
  try {
    const body = await readFile(join(root, relative));
    cache.set(relative, body);
    return body;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Sends static/<folder>/<name>, or 404 in Klarna's error shape. */
export async function sendStatic(reply: FastifyReply, folder: string, name: string): Promise<FastifyReply> {
  if (!staticNamePattern.test(name)) throw new KassaError('ROUTE_NOT_FOUND', [`No such file: ${name}`]);
  const relative = folder ? join(folder, name) : name;
  const body = await load(relative);
  if (!body) throw new KassaError('ROUTE_NOT_FOUND', [`No such file: ${name}`]);
  const type = contentTypes[extname(name)]!;
  reply.header('Content-Type', type).header('Cache-Control', 'no-cache').header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
  if (type.startsWith('text/html')) reply.header('Content-Security-Policy', pagePolicy);
  return reply.code(200).send(body);
}
