// What a relay instance needs to work, checked up front so a typo is refused when the
// instance is saved, with the field named, rather than failing later on every enrich.
import { X509Certificate } from 'node:crypto';
import type { ModuleAuth, ModuleInstance } from '../../module.js';
import { ModuleConfigError } from '../kind.js';

export interface RelayConfig {
  /** The module's base URL without a trailing slash: endpoint paths go after it, and it is the token `aud`. */
  base: string;
  auth: ModuleAuth;
  /** Extra PEM roots for an https module behind a private CA. */
  ca?: string;
  /** The verbs the module implements; the others are not asked (a pure referer has no observe). */
  capabilities: Set<Capability>;
}

export const CAPABILITIES = ['observe', 'deliberate', 'refer', 'respond'] as const;
export type Capability = (typeof CAPABILITIES)[number];

function capabilities(c: unknown): Set<Capability> {
  if (c === undefined) return new Set(CAPABILITIES);
  if (!Array.isArray(c) || c.some((x) => !(CAPABILITIES as readonly unknown[]).includes(x))) {
    throw new ModuleConfigError('settings.capabilities', `must be a list of ${CAPABILITIES.join(', ')}`);
  }
  return new Set(c as Capability[]);
}

function baseUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') throw new ModuleConfigError('url', 'a relay module needs its base URL, e.g. https://relay.example.com/module');
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new ModuleConfigError('url', `${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ModuleConfigError('url', `${JSON.stringify(url)} is not an http:// or https:// URL`);
  // Endpoint paths are appended to it; a query or fragment would end up in the wrong place.
  if (u.search || u.hash) throw new ModuleConfigError('url', `${JSON.stringify(url)}: give the base URL without ?query or #fragment`);
  if (u.username || u.password) throw new ModuleConfigError('url', 'credentials in the URL would be logged; use auth instead');
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

function auth(a: unknown): ModuleAuth {
  // No auth at all is what pure referers take.
  if (a === undefined || a === null) return { type: 'none' };
  const t = (a as { type?: unknown }).type;
  if (t === 'none' || t === 'configuration-token') return { type: t };
  if (t === 'hs256') {
    const key = (a as { key?: unknown }).key;
    if (typeof key !== 'string' || key === '') throw new ModuleConfigError('auth.key', 'hs256 needs the module\'s shared key');
    return { type: 'hs256', key };
  }
  throw new ModuleConfigError('auth.type', `${JSON.stringify(t)} is not one of none, hs256, configuration-token`);
}

function caBundle(ca: unknown): string | undefined {
  if (ca === undefined) return undefined;
  if (typeof ca !== 'string') throw new ModuleConfigError('settings.ca', 'must be a PEM string of one or more certificates');
  const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ModuleConfigError('settings.ca', 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  blocks.forEach((b, i) => {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new ModuleConfigError('settings.ca', `certificate ${i + 1} cannot be read: ${(err as Error).message}`);
    }
  });
  return blocks.join('\n');
}

/** Throws a ModuleConfigError naming the field. */
export function relayConfig(m: ModuleInstance): RelayConfig {
  const ca = caBundle(m.settings?.ca);
  return { base: baseUrl(m.url), auth: auth(m.auth), capabilities: capabilities(m.settings?.capabilities), ...(ca ? { ca } : {}) };
}
