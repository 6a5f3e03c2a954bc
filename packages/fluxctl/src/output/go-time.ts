const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const rfc3339 = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Formats an RFC 3339 time from the wire (`CreatedAt`) the way Go's `time.RFC822` layout
 * (`02 Jan 06 15:04 MST`) does, in the time's own zone: `2020-03-20T13:53:00Z` → `20 Mar 20 13:53 UTC`.
 *
 * The wire's times are UTC (`Z`), which Go names `UTC`. A numeric offset is printed as `+hhmm`, as Go
 * does for a zone it cannot name (Go would use the local zone's name when the offset matches it).
 * Go's zero time (`0001-01-01T00:00:00Z`) and the empty string give `''`; text that is not RFC 3339
 * is returned unchanged.
 */
export function formatGoRFC822(time: string): string {
  if (time === '') return '';
  const m = rfc3339.exec(time);
  if (!m) return time;
  const [, year, month, day, hour, minute, second, fraction, zone] = m as unknown as string[];
  if (
    zone === 'Z' &&
    year === '0001' &&
    month === '01' &&
    day === '01' &&
    `${hour}${minute}${second}` === '000000'
  ) {
    if (!fraction || /^\.0+$/.test(fraction)) return '';
  }
  const monthName = MONTHS[Number(month) - 1];
  if (monthName === undefined) return time;
  const yy = (year as string).slice(-2);
  const zoneName = zone === 'Z' ? 'UTC' : (zone as string).replace(':', '');
  return `${day} ${monthName} ${yy} ${hour}:${minute} ${zoneName}`;
}
