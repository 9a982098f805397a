// Loading one API list for the admin pages (Modules, Feeds, API clients, Users): the answer,
// or why not. A 403 is kept apart from other failures so a page can say "admins only" in words
// instead of showing the server's message.
import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, get } from '../api';

export interface Loaded<T> {
  data: T | null;
  error: string;
  forbidden: boolean;
  reload: () => void;
}

export function useLoad<T>(path: string, pick: (answer: unknown) => T): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [forbidden, setForbidden] = useState(false);

  // `pick` is a pure mapping, often written inline: following only the path keeps the load
  // from running again on every render.
  const reload = useCallback(() => {
    get<unknown>(path).then(
      (r) => { setData(pick(r)); setError(''); setForbidden(false); },
      (err: Error) => {
        if (err instanceof ApiFailure && err.status === 403) setForbidden(true);
        else setError(err.message);
      },
    );
  }, [path]);

  useEffect(reload, [reload]);
  return { data, error, forbidden, reload };
}

/** `{ data: [...] }` answers, as the exchange API gives lists. */
export const dataOf = <T,>(r: unknown): T[] => (r as { data: T[] }).data;

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—');
