/**
 * Loading the account's notification configuration (signing keys + webhooks) inside a unit of
 * work. Absent means "nothing configured yet": an empty configuration, inserted on first write.
 */
import { emptyNotificationConfig, notificationConfigId, notificationConfigType, type NotificationConfig } from '../../domain/webhooks/notification-config.js';
import type { UnitOfWork } from '../unit-of-work.js';

export async function loadNotificationConfig(uow: UnitOfWork): Promise<NotificationConfig> {
  return (await uow.load<NotificationConfig>(notificationConfigType, notificationConfigId)) ?? emptyNotificationConfig();
}

export function saveNotificationConfig(uow: UnitOfWork, config: NotificationConfig): void {
  uow.put(notificationConfigType, notificationConfigId, config);
}
