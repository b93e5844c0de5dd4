import { Writable } from 'node:stream';
import { writeJson } from '../../src/modules/interchange/json-stream';

/** A sink that takes 1 KiB at a time and asks the writer to wait (backpressure) after each write. */
function slowSink() {
  const chunks: string[] = [];
  let waits = 0;
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      waits++;
      setImmediate(done);
    },
  });
  return { sink, text: () => chunks.join(''), waits: () => waits };
}

describe('writeJson', () => {
  it('writes exactly what JSON.stringify gives, large arrays, dates, undefined and nested values included', async () => {
    const doc = {
      a: { results: [{ observations: Array.from({ length: 2_500 }, (_, i) => ({ i, at: new Date(Date.UTC(2026, 0, 1 + (i % 28))), gone: undefined, t: `é"\\${i}` })) }] },
      list: [1, undefined, () => 1, null, 'x'],
      skip: undefined,
      n: 0,
      deep: { b: { c: { d: { e: { f: [1, { g: undefined }] } } } } },
    };
    const { sink, text, waits } = slowSink();
    await writeJson(sink, doc);
    await new Promise<void>((r) => sink.end(r));
    expect(text()).toBe(JSON.stringify(doc));
    // Over 64 KiB went out in several writes, each awaited.
    expect(text().length).toBeGreaterThan(2 * 64 * 1024);
    expect(waits()).toBeGreaterThan(2);
  });
});
