import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Containers this deep or shallower are written piece by piece; deeper values in one JSON.stringify. */
const STREAMED_DEPTH = 4;
/** Array elements written between two turns of the event loop. */
const ELEMENTS_PER_TURN = 200;

/**
 * Writes `value` as compact JSON, byte for byte what JSON.stringify gives, without building the whole
 * string: large documents (an assessment-results export of 100,000 observations) go out in pieces,
 * honouring backpressure and letting other requests run between pieces.
 */
export async function writeJson(out: Writable, value: unknown): Promise<void> {
  let buffered = '';
  const write = async (text: string) => {
    buffered += text;
    if (buffered.length < 64 * 1024) return;
    const chunk = buffered;
    buffered = '';
    if (!out.write(chunk)) await once(out, 'drain');
  };
  let sinceTurn = 0;
  const visit = async (v: unknown, depth: number): Promise<void> => {
    const plain = v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
    if (!plain || depth > STREAMED_DEPTH) {
      await write(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      await write('[');
      for (let i = 0; i < v.length; i++) {
        if (i) await write(',');
        const el = v[i];
        // As JSON.stringify does in arrays: what has no JSON form is null.
        await visit(el === undefined || typeof el === 'function' || typeof el === 'symbol' ? null : el, depth + 1);
        if (++sinceTurn >= ELEMENTS_PER_TURN) {
          sinceTurn = 0;
          await nextTurn();
        }
      }
      await write(']');
      return;
    }
    await write('{');
    let first = true;
    for (const [k, el] of Object.entries(v as Record<string, unknown>)) {
      // As JSON.stringify does in objects: such members are left out.
      if (el === undefined || typeof el === 'function' || typeof el === 'symbol') continue;
      await write(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      await visit(el, depth + 1);
    }
    await write('}');
  };
  await visit(value, 0);
  if (buffered && !out.write(buffered)) await once(out, 'drain');
}
