/** The admin API lists at most this many of the most recent entries. */
export const MAX_LOG = 1000;

/** Appends to an in-memory log, keeping the most recent MAX_LOG × 10 entries. */
export function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_LOG * 10) list.splice(0, list.length - MAX_LOG * 10);
}
