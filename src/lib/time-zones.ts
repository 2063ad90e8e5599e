/** IANA time zone names, as Notion's `time_zone` fields take them. */

/**
 * Whether `name` is an IANA time zone name this runtime knows ("Europe/Paris", "UTC",
 * "Etc/GMT+5", links such as "US/Eastern"). Intl also accepts UTC offsets ("+05:00", "-03")
 * as zones; those are not IANA names and Notion refuses them, so they are refused here too.
 */
export function isTimeZoneName(name: string): boolean {
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
