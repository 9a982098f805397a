// Puts one event, or a unique event (all its events), into a new incident by hand
// (POST /api/v1/incidents/promote, analyst role) and links to it, for events no promotion rule
// took.
import { usePromote } from './usePromote';
import { BASE } from '../nav';
import { shortId } from './incidentsQuery';
import type { UniqueRecord } from './eventsQuery';

/** What the promote call takes: one event by its id, or a unique event by its identity. */
export type PromoteTarget =
  | { event_id: string }
  | { unique: Pick<UniqueRecord, 'type' | 'src_ip' | 'dst_ip' | 'gid' | 'sid' | 'key'> };

export function EventPromote({ target }: { target: PromoteTarget }) {
  const { busy, made, error, promote: send } = usePromote();
  const promote = () => send(target);

  const inc = made?.incident;
  return (
    <span className="event-promote">
      {/* Once made, a second click would open a second incident for the same events. */}
      <button type="button" className="secondary" disabled={busy || made !== null} onClick={promote}>Promote to incident</button>
      <span role="status">
        {inc && <>Incident created{'unique' in target ? ` with ${made.events} ${made.events === 1 ? 'event' : 'events'}` : ''}: <a href={`${BASE}incidents/${encodeURIComponent(shortId(inc.id))}`}>{inc.title ?? shortId(inc.id)}</a></>}
      </span>
      {error && <span role="alert" className="error">{error}</span>}
    </span>
  );
}
