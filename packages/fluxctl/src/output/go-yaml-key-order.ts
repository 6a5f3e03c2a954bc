const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;

/**
 * True when Go's yaml.v2 writes map key `a` before `b`. yaml.v2 sorts keys "naturally": letters by
 * code point, a letter after any non-letter, runs of digits by numeric value (`a2` before `a10`),
 * and a prefix before the longer key.
 */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = letter.test(ac);
    const bl = letter.test(bc);
    if (al && bl) return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      // A zero inside a number (after a non-zero digit) counts as a digit, not a leading zero.
      for (let j = i - 1; j >= 0 && digit.test(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && digit.test(ar[ai] as string); ai++) {
      an = BigInt.asIntN(64, an * 10n + BigInt((ar[ai] as string).codePointAt(0) as number) - 48n);
    }
    let bi = i;
    for (; bi < br.length && digit.test(br[bi] as string); bi++) {
      bn = BigInt.asIntN(64, bn * 10n + BigInt((br[bi] as string).codePointAt(0) as number) - 48n);
    }
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

/** A comparator for `Array.prototype.sort` from {@link goYamlKeyLess}. */
export function compareGoYamlKeys(a: string, b: string): number {
  if (goYamlKeyLess(a, b)) return -1;
  if (goYamlKeyLess(b, a)) return 1;
  return 0;
}
