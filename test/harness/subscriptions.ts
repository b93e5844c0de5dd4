import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestHub } from './hub';

/** What a subscription has received so far, and how it ended. */
export interface Received<T = any> {
  data: T[];
  errors: { message: string; extensions?: Record<string, any> }[];
  completed: boolean;
  /** Resolves with the data once `until` holds (checked on every message), or fails after timeoutMs. */
  wait: (until: (data: T[]) => boolean, what: string, timeoutMs?: number) => Promise<T[]>;
  /** Resolves once the subscription ended (an error or complete). */
  ended: (timeoutMs?: number) => Promise<void>;
  unsubscribe: () => void;
}

export interface WsClient {
  client: Client;
  /** The close event of the socket, once closed. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe: <T = any>(query: string, variables?: Record<string, unknown>) => Received<T>;
  dispose: () => Promise<void>;
}

/** Calls check on every change and when it holds, or fails naming what was awaited: waits for facts, never for a guessed time. */
function waiter(check: () => boolean, what: string, timeoutMs: number, listeners: Set<() => void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      if (!check()) return;
      clearTimeout(timer);
      listeners.delete(done);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(done);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    listeners.add(done);
    done();
  });
}

/**
 * A graphql-ws client (the real one, on ws) for the hub; it never retries. The connection params are the
 * test organization's ADMIN token unless given (null: none at all).
 */
export function wsClient(t: TestHub, params?: Record<string, unknown> | null): WsClient {
  const connectionParams = params === undefined ? { authorization: `Bearer ${t.token}` } : (params ?? undefined);
  let closedWith: (e: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (closedWith = resolve));
  const client = createClient({
    url: t.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    on: { closed: (e) => closedWith({ code: (e as { code: number }).code, reason: String((e as { reason: unknown }).reason) }) },
    // A refused connection rejects every subscription with the close event; the close promise tells it.
    onNonLazyError: () => undefined,
  });
  const subscribe = <T>(query: string, variables?: Record<string, unknown>): Received<T> => {
    const listeners = new Set<() => void>();
    const changed = () => [...listeners].forEach((l) => l());
    const r: Received<T> = {
      data: [],
      errors: [],
      completed: false,
      wait: async (until, what, timeoutMs = 20_000) => {
        await waiter(() => until(r.data) || r.completed, what, timeoutMs, listeners);
        if (!until(r.data)) throw new Error(`subscription ended before ${what}: ${JSON.stringify(r.errors)}`);
        return r.data;
      },
      ended: (timeoutMs = 20_000) => waiter(() => r.completed, 'the subscription to end', timeoutMs, listeners),
      unsubscribe: () => undefined,
    };
    r.unsubscribe = client.subscribe<T>({ query, variables }, {
      next: (value) => {
        if (value.errors) r.errors.push(...(value.errors as Received['errors']));
        if (value.data) r.data.push(...Object.values(value.data as Record<string, T>));
        changed();
      },
      error: (err) => {
        r.errors.push(...(Array.isArray(err) ? err : [{ message: String((err as { reason?: string }).reason ?? err) }]));
        r.completed = true;
        changed();
      },
      complete: () => {
        r.completed = true;
        changed();
      },
    });
    return r;
  };
  return { client, closed, subscribe, dispose: () => Promise.resolve(client.dispose()) };
}

/** Resolves once check() holds, polling every 20 ms, or fails after timeoutMs naming what was awaited. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
