import { describe, expect, it } from 'vitest';
import { CoreKit, DAY } from './helpers/kit.js';

describe('core test kit', () => {
  it('drives one client through ten days of the default scenario', () => {
    const k = new CoreKit();
    k.runFor(10 * DAY);
    expect(k.of('install.completed')).toHaveLength(1);
    expect(k.scans()[0]!.e.trigger).toBe('firstPolicy');
  });
});
