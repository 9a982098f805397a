// One incident: what it is, its status workflow, assignees, sightings and notes. Each change
// answers with the stored incident, which replaces the one shown.
import { Fragment, useEffect, useRef, useState } from 'react';
import { get, type SessionUser } from '../api';
import { IncidentAssignees } from './IncidentAssignees';
import { IncidentNotes } from './IncidentNotes';
import { IncidentSightings } from './IncidentSightings';
import { IncidentStatus } from './IncidentStatus';
import { canChange, incidentPath, when, type Incident } from './incidentsQuery';

const TIMES = ['opened', 'discovered', 'reported', 'remediated', 'closed', 'rejected'] as const;

export function IncidentDetail({ id, user, onClose, onChanged }: {
  id: string;
  user: SessionUser;
  onClose: () => void;
  onChanged: (i: Incident) => void;
}) {
  const [incident, setIncident] = useState<Incident | null>(null);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    setIncident(null);
    setError('');
    get<Incident>(incidentPath(id)).then(
      (i) => { if (live) setIncident(i); },
      (err: Error) => { if (live) setError(err.message); },
    );
    return () => { live = false; };
  }, [id]);

  // Focus moves to the detail once it has a title to announce.
  const loaded = incident !== null;
  useEffect(() => { if (loaded) heading.current?.focus(); }, [loaded, id]);

  const changed = (i: Incident) => {
    setIncident(i);
    onChanged(i);
  };
  const editable = canChange(user);

  return (
    <section className="incident-detail" aria-labelledby="incident-detail-title">
      <div className="detail-head">
        <h2 id="incident-detail-title" tabIndex={-1} ref={heading}>{incident?.title ?? `Incident ${id}`}</h2>
        <button type="button" className="secondary" onClick={onClose}>Close detail</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!incident && !error && <p className="muted">Loading…</p>}
      {incident && (
        <>
          {!editable && <p className="hint">You can read incidents; changing them takes the analyst role.</p>}
          {incident.description && <p className="description">{incident.description}</p>}
          <dl className="facts">
            <dt>Status</dt><dd className="current-status">{incident.status}</dd>
            <dt>Severity</dt><dd>{incident.severity ?? '—'}</dd>
            <dt>Confidence</dt><dd>{incident.confidence}</dd>
            {TIMES.filter((k) => incident.incident_time[k]).map((k) => (
              <Fragment key={k}><dt>{k[0]?.toUpperCase()}{k.slice(1)}</dt><dd>{when(incident.incident_time[k])}</dd></Fragment>
            ))}
            {incident.tactics?.length ? <><dt>Tactics</dt><dd>{incident.tactics.join(', ')}</dd></> : null}
            {incident.techniques?.length ? <><dt>Techniques</dt><dd>{incident.techniques.join(', ')}</dd></> : null}
            {incident.categories?.length ? <><dt>Categories</dt><dd>{incident.categories.join(', ')}</dd></> : null}
            {incident.owner && <><dt>Last changed by</dt><dd>{incident.owner}</dd></>}
          </dl>
          {editable && <IncidentStatus incident={incident} onChanged={changed} />}
          <IncidentAssignees incident={incident} user={user} editable={editable} onChanged={changed} />
          <IncidentSightings id={id} />
          <IncidentNotes incident={incident} editable={editable} onChanged={changed} />
        </>
      )}
    </section>
  );
}
