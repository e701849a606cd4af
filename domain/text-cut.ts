/**
 * `text` cut to at most `max` UTF-16 units, never through a character made of two (an emoji,
 * a rare CJK character): half of one is not Unicode, and CouchDB refuses the whole request
 * that carries it ("invalid UTF-8 JSON"), so a tablet's push would fail for good.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const highSurrogate = /[\ud800-\udbff]/.test(text.charAt(max - 1));
  return text.slice(0, highSurrogate ? max - 1 : max);
}
