// Where a session's tokens are kept between calls (and, in a browser tab,
// between page loads): in memory by default, or in a Web Storage area
// (the web client uses sessionStorage: one login per tab, gone when the
// tab closes).
/** Kept in this object only: gone with it. */
export function memoryStore() {
    let kept = null;
    return {
        load: () => kept,
        save: (s) => {
            kept = s;
        },
    };
}
/** Kept in a Web Storage area under `key`, as JSON; what does not parse reads as none. */
export function webStorageStore(storage, key) {
    return {
        load() {
            try {
                return JSON.parse(storage.getItem(key) ?? 'null') || null;
            }
            catch {
                return null;
            }
        },
        save(s) {
            if (s)
                storage.setItem(key, JSON.stringify(s));
            else
                storage.removeItem(key);
        },
    };
}
