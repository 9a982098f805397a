// The hand promotion call (POST /api/v1/incidents/promote, analyst role) with its busy, result
// and error state, for each place that offers "Promote to incident".
import { useState } from 'react';
import { send } from '../api';

export interface Promoted { incident: { id: string; title?: string }; events: number }

export function usePromote() {
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<Promoted | null>(null);
  const [error, setError] = useState('');
  const promote = (body: object) => {
    setBusy(true);
    setError('');
    send<Promoted>('POST', '/api/v1/incidents/promote', body)
      .then(setMade, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };
  return { busy, made, error, promote };
}
