/**
 * What a function built without an adapter has in its place (its role grants
 * that service nothing either): any use fails, naming what is missing, where
 * an AWS client would have failed with AccessDenied.
 */
export function missingAdapter<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_, key) {
      throw new Error(`this function has no ${what} (${String(key)}): its role grants none, and its handler is built without one`);
    },
  });
}
