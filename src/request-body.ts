/**
 * The one reader of request bodies: JSON only, read from the raw stream with a size limit and
 * a deadline, never inflated and never written to disk. It replaces restify's bodyParser, which
 * inflated gzip bodies past its limit (a 200 KB decompression bomb cost 800 MB) and spooled
 * multipart uploads to /tmp through formidable, where they stayed.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Next, Request, RequestHandler, Response } from 'restify';

/** Limits of one request body. */
export interface BodyLimits {
  /** Largest body accepted, in bytes as sent (no content encoding is accepted). */
  readonly maxBytes: number;
  /** Longest the whole body may take to arrive once the request's headers are in. */
  readonly timeoutMs: number;
}

/**
 * 1 MB is ten times the largest message Teams sends (about 100 KB); the Bot Framework Service,
 * the only sender of bodies here, delivers one from an Azure datacenter in milliseconds.
 */
export const DEFAULT_BODY_LIMITS: BodyLimits = Object.freeze({ maxBytes: 1024 * 1024, timeoutMs: 10_000 });

/** A body refused: the HTTP status, a stable code and an English message to answer with. */
export class BodyRefusedError extends Error {
  override readonly name = 'BodyRefusedError';
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A refused body still arriving is read and dropped this long (and this much) before the
 * connection closes: a client that sends without `Expect: 100-continue` then reads the answer
 * instead of a reset. Nothing of it is kept.
 */
const LINGER_MS = 2000;
const LINGER_BYTES = 64 * 1024 * 1024;

/** The client went away before its body was complete: there is no one to answer. */
class BodyAbortedError extends Error {
  override readonly name = 'BodyAbortedError';
}

/** Whether the request carries a body (HTTP/1.1 framing: a chunked or a non-zero length one). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

/** Why the headers alone refuse the body, if they do: an encoding, a media type or a declared length. */
export function refusalByHeaders(headers: IncomingHttpHeaders, maxBytes: number): BodyRefusedError | undefined {
  // The Bot Framework Service never compresses; anything encoded would have to be inflated to be read.
  const encodings = (headers['content-encoding'] ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  if (encodings.some((token) => token !== 'identity')) {
    return new BodyRefusedError(415, 'UnsupportedMediaType', 'Content-Encoding is not supported: send the body uncompressed.');
  }
  if (!isJsonUtf8(headers['content-type'])) {
    return new BodyRefusedError(415, 'UnsupportedMediaType', 'Only application/json bodies (UTF-8) are accepted.');
  }
  const length = headers['content-length'];
  if (length !== undefined && Number(length) > maxBytes) return tooLarge(maxBytes);
  return undefined;
}

/** `application/json`, with no charset or a UTF-8 one (JSON is UTF-8 on the wire, RFC 8259). */
function isJsonUtf8(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [mediaType = '', ...parameters] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    return ['utf-8', 'utf8'].includes(value.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  });
}

function tooLarge(maxBytes: number): BodyRefusedError {
  return new BodyRefusedError(413, 'PayloadTooLarge', `The body is larger than ${maxBytes} bytes.`);
}

/**
 * Reads the rest of a request's body into memory, at most `maxBytes`, within `timeoutMs`.
 * Refuses (413) as soon as the limit is passed, chunked or not, and (408) when the deadline
 * passes first; it stops reading either way.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else {
        req.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onAbort = (): void => finish(new BodyAbortedError('The client closed the request before its body was complete.'));
    const timer = setTimeout(
      () => finish(new BodyRefusedError(408, 'RequestTimeout', `The body did not arrive within ${limits.timeoutMs} ms.`)),
      limits.timeoutMs,
    );
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAbort);
    req.once('close', onAbort);
  });
}

/** The body as JSON: undefined when empty, refused (400) when it is not UTF-8 JSON. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    // fatal: bytes that are not UTF-8 are refused rather than silently replaced; a BOM is dropped.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new BodyRefusedError(400, 'BadRequest', 'The body is not valid JSON.');
  }
}

/** Reads, checks and parses a request's body; resolves undefined for a request without one. */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): Promise<unknown> {
  if (!hasBody(req.headers)) return undefined;
  const refusal = refusalByHeaders(req.headers, limits.maxBytes);
  if (refusal) throw refusal;
  // The server is built with noWriteContinue: a client that asked first sends its body only now,
  // so one that would be refused by its headers never sends it at all.
  if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();
  return parseJson(await readBody(req, limits));
}

/**
 * Reads and drops what is left of a refused body, for a moment: if it ends in time the
 * connection carries the next request; otherwise it closes.
 */
function dropRestThenClose(req: IncomingMessage): void {
  let dropped = 0;
  const close = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
    req.socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) close();
  };
  const timer = setTimeout(close, LINGER_MS);
  req.on('data', onData);
  req.once('end', () => {
    clearTimeout(timer);
    req.off('data', onData);
  });
  req.resume();
}

/**
 * A restify `pre` handler: every request's body becomes `req.body` (botbuilder's CloudAdapter
 * reads it there), or the request is answered with 400, 408, 413 or 415 and goes no further.
 */
export function jsonBodyReader(limits: BodyLimits): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    readJsonBody(req, res, limits).then(
      (body) => {
        req.body = body;
        next();
      },
      (error: unknown) => {
        if (error instanceof BodyRefusedError) {
          // 408: the client is too slow to be worth waiting for; 413/415: it may still be sending.
          if (error.status === 408) res.header('Connection', 'close');
          else if (error.status !== 400) dropRestThenClose(req);
          res.send(error.status, { code: error.code, message: error.message });
        } else {
          // The client is gone (or the stream broke): no one to answer, so the socket goes too.
          req.socket.destroy();
        }
        next(false);
      },
    );
  };
}
