// Placeholder until the page is built.
import type { SessionUser } from '../api';

export function Investigate(_props: { user: SessionUser }) {
  return <p className="muted">This page is coming.</p>;
}
