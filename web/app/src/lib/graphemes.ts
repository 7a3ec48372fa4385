// Splitting text into graphemes, what a reader sees as one character (an emoji with its skin
// tone or ZWJ sequence, a flag, 张): one segmenter for the whole app, as making one is costly.

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (g) => g.segment);
}
