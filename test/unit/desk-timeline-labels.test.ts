import { TimelineEvents } from '../../domain/timeline-events';
import { codes, translator } from '../../desk/src/i18n';

// The desk shows each timeline entry in words. The kinds come from domain/timeline-events.ts, the
// list the workflow record accepts (the compiler refuses any other), so a kind added there without
// words in the desk fails here by name.

describe("the desk's timeline in words", () => {
  test('every kind of timeline entry a case workflow records has words in Chinese and in English', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    const missing = TimelineEvents.flatMap((kind) => [
      ...(zh.has('timeline', kind) && zh.code('timeline', kind).trim() !== '' && zh.code('timeline', kind) !== kind ? [] : [`${kind} (zh-CN)`]),
      ...(en.has('timeline', kind) && en.code('timeline', kind).trim() !== '' && en.code('timeline', kind) !== kind ? [] : [`${kind} (en)`]),
    ]);
    expect(missing).toEqual([]);
  });

  test('the Chinese words are Chinese and differ from the English ones', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    const untranslated = TimelineEvents.filter((kind) => !/[\u4e00-\u9fff]/.test(zh.code('timeline', kind)) || zh.code('timeline', kind) === en.code('timeline', kind));
    expect(untranslated).toEqual([]);
  });

  test('the desk has no words for a kind no workflow records (a renamed kind would leave a stale label)', () => {
    const known = new Set<string>(TimelineEvents);
    expect(codes('timeline').filter((kind) => !known.has(kind))).toEqual([]);
  });
});
