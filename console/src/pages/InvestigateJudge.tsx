// An analyst's own word on one observable: a CTIA judgement (Malicious, Suspicious or Clean),
// which the Private intelligence module answers with from then on. Its priority, 95, is above a
// feed's default (90), so what an analyst judged outweighs a feed in the verdict.
import { useState } from 'react';
import { send } from '../api';
import type { Observable } from './investigateApi';

const CHOICES = [
  { name: 'Malicious', severity: 'High' },
  { name: 'Suspicious', severity: 'Medium' },
  { name: 'Clean', severity: 'Info' },
] as const;
const ANALYST_PRIORITY = 95;

export function InvestigateJudge({ observable, judgedBy, onJudged }: { observable: Observable; judgedBy: string; onJudged: () => void }) {
  // Closed until asked for, so a row reads as its verdict, not as a list of dispositions.
  const [asking, setAsking] = useState(false);
  const [pick, setPick] = useState<string>(CHOICES[0].name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const judge = () => {
    const choice = CHOICES.find((c) => c.name === pick) ?? CHOICES[0];
    setBusy(true);
    setError('');
    send('POST', '/ctia/judgement', {
      observable: { type: observable.type, value: observable.value },
      disposition_name: choice.name,
      severity: choice.severity,
      confidence: 'High',
      priority: ANALYST_PRIORITY,
      source: judgedBy,
      reason: 'judged in the console',
    }).then(() => { setAsking(false); onJudged(); }, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  if (!asking) {
    return (
      <div className="inv-judge">
        <button type="button" className="secondary" aria-expanded="false" aria-label={`Judge ${observable.value}`} onClick={() => setAsking(true)}>Judge…</button>
      </div>
    );
  }
  return (
    <div className="inv-judge" role="group" aria-label={`Judge ${observable.value}`}>
      <select aria-label={`Judgement of ${observable.value}`} value={pick} disabled={busy} onChange={(e) => setPick(e.target.value)}>
        {CHOICES.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
      </select>
      <button type="button" disabled={busy} onClick={judge}>Save judgement</button>
      <button type="button" className="secondary" disabled={busy} onClick={() => { setAsking(false); setError(''); }}>Cancel</button>
      {error && <span role="alert" className="error">{error}</span>}
    </div>
  );
}
