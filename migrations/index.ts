import { CreateTenants1764300000001 } from './1764300000001-CreateTenants.js';
import { CreateAppointments1764300000002 } from './1764300000002-CreateAppointments.js';
import { CreateEventsAndAudit1764300000003 } from './1764300000003-CreateEventsAndAudit.js';
import { CreateAgentRuntime1764300000004 } from './1764300000004-CreateAgentRuntime.js';
import { JobQueueConstraints1764300000005 } from './1764300000005-JobQueueConstraints.js';
import { AuditRole1764300000006 } from './1764300000006-AuditRole.js';
import { TenantWebhooks1764300000007 } from './1764300000007-TenantWebhooks.js';
import { RuntimeInstances1764300000008 } from './1764300000008-RuntimeInstances.js';
import { JobIndexDiet1764300000009 } from './1764300000009-JobIndexDiet.js';
import { AuditSealInDatabase1764300000010 } from './1764300000010-AuditSealInDatabase.js';

/** Every migration, in order. Listed explicitly so the compiled app and the tests load the same set. */
export const MIGRATIONS = [
  CreateTenants1764300000001,
  CreateAppointments1764300000002,
  CreateEventsAndAudit1764300000003,
  CreateAgentRuntime1764300000004,
  JobQueueConstraints1764300000005,
  AuditRole1764300000006,
  TenantWebhooks1764300000007,
  RuntimeInstances1764300000008,
  JobIndexDiet1764300000009,
  AuditSealInDatabase1764300000010,
];
