import { useCallback, useEffect, useState } from 'react';

/** Loads data on mount (and on reload()); keeps the error of the last try. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    setLoading(true);
    run().then(
      (d) => {
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        setError(e);
        setLoading(false);
      },
    );
  }, [run]);
  useEffect(reload, [reload]);
  return { data, error, loading, reload };
}
