// Every call to the server. The session cookie rides along by itself (HttpOnly: scripts never
// see it); the CSRF token is held in memory only, never in storage, and sent on unsafe methods.
export interface SessionUser {
  id: string;
  username: string;
  role: 'admin' | 'analyst' | 'read-only';
  org_id: string;
}

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let csrfToken = '';

const SESSION_PATH = '/console/api/session';
const sessionEndedListeners = new Set<() => void>();

/** Called when a call is refused for want of a session: it timed out, was signed out in
 * another tab, or its password changed. Without this the page stays up and every action fails
 * with the API's bearer-token message. Returns the unsubscribe. */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => { sessionEndedListeners.delete(listener); };
}

/** The server's words for a missing session speak of bearer tokens, for API clients. */
const SESSION_ENDED = 'your session has ended: sign in again';

/** A 401 from anything but the session routes themselves (a wrong password is a 401 too):
 * tells the listeners, and says whether it was one. */
function sessionRefused(status: number, path: string): boolean {
  if (status !== 401 || path.startsWith(SESSION_PATH)) return false;
  for (const l of sessionEndedListeners) l();
  return true;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (r.status === 204) return undefined as T;
  const data = (await r.json().catch(() => ({}))) as { message?: string };
  if (sessionRefused(r.status, path)) throw new ApiFailure(401, SESSION_ENDED);
  if (!r.ok) throw new ApiFailure(r.status, data.message ?? `${r.status} ${r.statusText}`);
  return data as T;
}

interface SessionAnswer {
  user: SessionUser;
  csrf_token: string;
}

/** The signed-in user, or null when there is no session. */
export async function currentUser(): Promise<SessionUser | null> {
  try {
    const s = await call<SessionAnswer>('GET', SESSION_PATH);
    csrfToken = s.csrf_token;
    return s.user;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return null;
    throw err;
  }
}

export async function signIn(username: string, password: string): Promise<SessionUser> {
  const s = await call<SessionAnswer>('POST', SESSION_PATH, { username, password });
  csrfToken = s.csrf_token;
  return s.user;
}

export async function signOut(): Promise<void> {
  await call('DELETE', SESSION_PATH);
  csrfToken = '';
}

export function get<T>(path: string): Promise<T> {
  return call<T>('GET', path);
}

/** A POST whose answer is read as it arrives (a stream): the raw response, once its status is good. */
export async function postForStream(path: string, body: unknown, accept: string, signal?: AbortSignal): Promise<Response> {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (!r.ok || !r.body) {
    if (sessionRefused(r.status, path)) throw new ApiFailure(401, SESSION_ENDED);
    const data = (await r.json().catch(() => ({}))) as { message?: string };
    throw new ApiFailure(r.status, data.message ?? `${r.status} ${r.statusText}`);
  }
  return r;
}

/** An unsafe call (POST, PATCH, DELETE): JSON body, CSRF token sent. */
export function send<T = void>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return call<T>(method, path, body);
}
