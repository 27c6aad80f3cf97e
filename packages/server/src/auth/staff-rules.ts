/**
 * Who may manage whom. The rule is the domain's (`mayRecordEvent`): the REST routes ask it before
 * writing anything, so a request the ingest would quarantine is refused up front instead of
 * leaving a membership row without its event.
 */
import type { Role } from '@smartkirana/domain/event-fields';
import type { EventOfType } from '@smartkirana/domain/events';
import { mayRecord, mayRecordEvent } from '@smartkirana/domain/permissions';

/** Whether a person with role `actor` may give someone the role `target`. */
export function mayGrant(actor: Role, target: Role): boolean {
  // Only type and payload matter to the rule; the envelope is a placeholder.
  const probe: EventOfType<'v1.StaffAdded'> = {
    id: '',
    shopId: '',
    deviceId: '',
    deviceSeq: 1,
    hlc: '',
    actorId: '',
    at: 0,
    type: 'v1.StaffAdded',
    payload: { userId: '', name: '', role: target },
  };
  return mayRecordEvent(actor, probe);
}

/**
 * Whether `actor` may manage (set the PIN of, remove) someone who holds `target`: only people
 * whose role the actor could have granted, so a manager cannot remove an owner or another manager.
 */
export function mayManage(actor: Role, target: Role): boolean {
  return mayRecord(actor, 'v1.StaffRemoved') && mayGrant(actor, target);
}
