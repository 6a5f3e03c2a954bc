/** Orders strings as Go's `<` does (by code unit; the same as byte order for the IDs we sort). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
