// freenet_time's wire form of a UTC instant.
/**
 * chrono 0.4's in-memory DateTime<Utc> as freenet-core writes it: NaiveDate's
 * packed `yof` (year << 13 | ordinal << 4 | flags), seconds since midnight,
 * nanoseconds. chrono does not promise this layout; freenet-core relies on it too.
 */
export function chronoUtc(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const startOfYear = Date.UTC(year, 0, 1);
  const ordinal = Math.floor((date.getTime() - startOfYear) / 86_400_000) + 1;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  // Weekday of Dec 31 of the previous year, Tue=1 .. Mon=7 (chrono's YearFlags).
  const dec31 = new Date(Date.UTC(year - 1, 11, 31)).getUTCDay();
  const weekdayCode = ((dec31 + 5) % 7) + 1;
  const flags = (leap ? 0 : 8) | weekdayCode;
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setInt32(0, (year << 13) | (ordinal << 4) | flags, true);
  const midnight = Date.UTC(year, date.getUTCMonth(), date.getUTCDate());
  view.setUint32(4, Math.floor((date.getTime() - midnight) / 1000), true);
  view.setUint32(8, (date.getTime() % 1000) * 1_000_000, true);
  return out;
}
