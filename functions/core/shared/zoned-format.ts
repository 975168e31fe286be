// Building an Intl.DateTimeFormat costs far more than using one, and notices, caps and reports
// format in the same few zones all day: one formatter per style and zone, made on first use.
const formats = new Map<string, Intl.DateTimeFormat>();

export function zonedFormat(
  style: Omit<Intl.DateTimeFormatOptions, 'timeZone'>,
  timeZone: string,
): Intl.DateTimeFormat {
  const key = `${timeZone} ${JSON.stringify(style)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { ...style, timeZone });
    formats.set(key, format);
  }
  return format;
}
