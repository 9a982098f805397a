// API clients and registration tokens: both are the admins' alone, so the API refuses them to
// everyone else, and the page says so in words.
import type { SessionUser } from '../api';
import { ClientList } from './ClientList';
import { TokenList } from './Tokens';
import { CLIENTS_PATH, TOKENS_PATH, type ApiClient, type RegistrationToken } from './clientApi';
import { dataOf, useLoad } from './moduleLoad';
import './Modules.css';

export function Clients(_props: { user: SessionUser }) {
  const clients = useLoad(CLIENTS_PATH, dataOf<ApiClient>);
  const tokens = useLoad(TOKENS_PATH, dataOf<RegistrationToken>);

  if (clients.forbidden || tokens.forbidden) {
    return <p className="notice" role="status">Only admins can see and manage API clients and registration tokens.</p>;
  }
  if (!clients.data && !clients.error) return <p className="muted">Loading…</p>;
  return (
    <div className="admin-page">
      <ClientList clients={clients} />
      <TokenList tokens={tokens} />
    </div>
  );
}
