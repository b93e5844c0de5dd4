import { v5 } from 'uuid';
import { uuidFor } from '../../src/modules/interchange/oscal';

describe('uuidFor', () => {
  it('is RFC 9562 version 5: the same UUIDs as the uuid package, so exports stay byte-identical', () => {
    const ns = '6f1c7a52-3e0b-5c8e-9d41-2b7a0e4c9f11';
    for (const parts of [['observation', 'org', 'iso27001', 'e1'], ['catalog', 'shared', 'eu-ai-act', '2024/1689'], ['é', 'Art. 5(1)', '']]) {
      expect(uuidFor(...parts)).toBe(v5(parts.join('\u0000'), ns));
    }
    expect(uuidFor('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
