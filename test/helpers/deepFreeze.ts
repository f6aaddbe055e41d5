/**
 * Freezes a value and everything reachable from it (own properties, array items, Map and Set entries), so a
 * function that writes to an input throws a TypeError (test modules are ES modules, hence strict mode). Map and
 * Set contents cannot be frozen by `Object.freeze`: their mutators are replaced with ones that throw.
 */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return value;
  const obj = value as unknown as object;
  if (seen.has(obj)) return value;
  seen.add(obj);
  if (obj instanceof Map || obj instanceof Set) {
    for (const entry of obj instanceof Map ? [...obj.keys(), ...obj.values()] : [...obj.values()])
      deepFreeze(entry, seen);
    for (const method of ["set", "add", "delete", "clear"])
      if (method in obj)
        Object.defineProperty(obj, method, {
          value: () => {
            throw new TypeError(`Cannot ${method} on a frozen ${obj.constructor.name}`);
          },
        });
  }
  for (const key of Reflect.ownKeys(obj)) {
    const descriptor = Object.getOwnPropertyDescriptor(obj, key);
    if (descriptor && "value" in descriptor) deepFreeze(descriptor.value, seen);
  }
  return Object.freeze(value);
}

/** A deep copy of `value`, deep-frozen. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}
