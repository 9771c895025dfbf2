import { useCallback, useEffect, useState } from 'react';
import { get } from '../api.ts';
import { useErrorText } from '../errors.ts';

/** Loads `{data:[…]}` from an API path; `reload` after a change; `error` already in the user's language. */
export function useList<T>(path: string | null) {
  const errorText = useErrorText();
  const [data, setData] = useState<T[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const reload = useCallback(async () => {
    if (!path) return;
    setLoading(true);
    try {
      setData((await get<{ data: T[] }>(path)).data);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [path]);
  useEffect(() => { void reload(); }, [reload]);
  return { data, error, loading, reload };
}
