/**
 * What the merchant role knows about an account: which provider it talks to (a "connection":
 * base URL + Basic credentials, the password sealed with SecretBox) and its workflow settings.
 *
 * Connections are immutable records; the profile points at the current one and every merchant
 * order keeps the id of the connection it was started with, so changing the connection never
 * moves an order that lives at the previous provider. Without a configured connection the first
 * checkout creates the default one: this Kassa's own public URL and the credentials the merchant
 * authenticated with (reference: docs/merchant-role.md).
 */
import { durations } from '../../domain/limits.js';
import type { MerchantSettings } from '../../domain/merchant-order/merchant-order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';
import type { ConnectionCredentials } from './klarna-client.js';
import type { SecretBox } from './secret-box.js';

export const merchantProfileType = 'merchant_profile';
export const merchantProfileId = 'profile';
export const merchantConnectionType = 'merchant_connection';

export interface SettingsSeconds {
  recheck_interval_seconds: number;
  capture_on_shipment: boolean;
  settlement_poll_interval_seconds: number;
  payout_delay_seconds: number;
}

export interface MerchantProfile {
  connection_id?: string;
  settings: Partial<SettingsSeconds>;
}

export interface MerchantConnectionRecord {
  connection_id: string;
  base_url: string;
  username: string;
  password_sealed: string;
  source: 'default' | 'configured';
  created_at: string;
}

export const defaultSettingsSeconds: SettingsSeconds = Object.freeze({
  recheck_interval_seconds: durations.merchantRecheckIntervalMs / 1000,
  capture_on_shipment: true,
  settlement_poll_interval_seconds: durations.merchantSettlementPollIntervalMs / 1000,
  payout_delay_seconds: 0,
});

export function settingsView(profile: MerchantProfile | undefined): SettingsSeconds {
  return { ...defaultSettingsSeconds, ...(profile?.settings ?? {}) };
}

export function toMerchantSettings(s: SettingsSeconds): MerchantSettings {
  return {
    recheck_interval_ms: s.recheck_interval_seconds * 1000,
    capture_on_shipment: s.capture_on_shipment,
    settlement_poll_interval_ms: s.settlement_poll_interval_seconds * 1000,
    payout_delay_ms: s.payout_delay_seconds * 1000,
  };
}

export async function loadSettings(uow: UnitOfWork): Promise<MerchantSettings> {
  return toMerchantSettings(settingsView(await uow.load<MerchantProfile>(merchantProfileType, merchantProfileId)));
}

export function connectionView(c: MerchantConnectionRecord) {
  return { connection_id: c.connection_id, base_url: c.base_url, username: c.username, source: c.source, created_at: c.created_at };
}

/**
 * The connection new orders use: the configured one, or the default (created on first use from
 * the caller's own credentials). `credentials` are those the merchant request authenticated with.
 */
export async function currentConnectionId(uow: UnitOfWork, box: SecretBox, publicUrl: string, credentials: { username: string; password: string } | undefined): Promise<string | undefined> {
  const profile = await uow.load<MerchantProfile>(merchantProfileType, merchantProfileId);
  if (profile?.connection_id) return profile.connection_id;
  if (!credentials) return undefined;
  const id = uow.ctx.random.uuid();
  const record: MerchantConnectionRecord = {
    connection_id: id,
    base_url: publicUrl,
    username: credentials.username,
    password_sealed: box.seal(credentials.password),
    source: 'default',
    created_at: new Date(uow.now).toISOString(),
  };
  uow.put(merchantConnectionType, id, record);
  uow.put(merchantProfileType, merchantProfileId, { settings: {}, ...profile, connection_id: id } satisfies MerchantProfile);
  uow.event(merchantProfileType, merchantProfileId, 'merchant_connection.defaulted', { connection_id: id, base_url: publicUrl, username: credentials.username });
  return id;
}

export async function credentialsOf(uow: UnitOfWork, box: SecretBox, connectionId: string): Promise<ConnectionCredentials | undefined> {
  const c = await uow.load<MerchantConnectionRecord>(merchantConnectionType, connectionId);
  if (!c) return undefined;
  return { base_url: c.base_url, username: c.username, password: box.open(c.password_sealed) };
}
