// Placeholder until the page is built.
import type { SessionUser } from '../api';

export function Casebooks(_props: { user: SessionUser }) {
  return <p className="muted">This page is coming.</p>;
}
