/**
 * Program, procedure and flag numbers of libvirt's RPC protocol (remote_protocol.x,
 * qemu_protocol.x, virkeepaliveprotocol.x) and the public enums the client uses.
 */

export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;
export const QEMU_PROGRAM = 0x20008087;
export const QEMU_PROTOCOL_VERSION = 1;
export const KEEPALIVE_PROGRAM = 0x6b656570;
export const KEEPALIVE_PROTOCOL_VERSION = 1;

export const KeepaliveProc = { PING: 1, PONG: 2 } as const;

export const QemuProc = { DOMAIN_AGENT_COMMAND: 3 } as const;

export const RemoteProc = {
  CONNECT_OPEN: 1,
  CONNECT_CLOSE: 2,
  CONNECT_GET_VERSION: 4,
  CONNECT_GET_LIB_VERSION: 157,
  CONNECT_SUPPORTS_FEATURE: 60,
  DOMAIN_GET_XML_DESC: 14,
  DOMAIN_RESUME: 28,
  DOMAIN_LOOKUP_BY_NAME: 23,
  DOMAIN_LOOKUP_BY_UUID: 24,
  AUTH_LIST: 66,
  STORAGE_POOL_REFRESH: 83,
  STORAGE_POOL_LOOKUP_BY_NAME: 84,
  STORAGE_VOL_CREATE_XML: 93,
  STORAGE_VOL_DELETE: 94,
  STORAGE_VOL_LOOKUP_BY_NAME: 95,
  STORAGE_VOL_LOOKUP_BY_PATH: 97,
  STORAGE_VOL_GET_PATH: 100,
  DOMAIN_ABORT_JOB: 164,
  DOMAIN_GET_BLOCK_INFO: 194,
  DOMAIN_CREATE_WITH_FLAGS: 196,
  DOMAIN_GET_STATE: 212,
  DOMAIN_UNDEFINE_FLAGS: 231,
  DOMAIN_DESTROY_FLAGS: 234,
  DOMAIN_SHUTDOWN_FLAGS: 258,
  CONNECT_LIST_ALL_DOMAINS: 273,
  DOMAIN_GET_JOB_STATS: 298,
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 316,
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: 317,
  DOMAIN_EVENT_CALLBACK_LIFECYCLE: 318,
  DOMAIN_FSFREEZE: 335,
  DOMAIN_FSTHAW: 336,
  DOMAIN_EVENT_BLOCK_JOB_2: 339,
  DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE: 348,
  DOMAIN_DEFINE_XML_FLAGS: 350,
  DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: 363,
  DOMAIN_CHECKPOINT_CREATE_XML: 411,
  DOMAIN_CHECKPOINT_GET_XML_DESC: 412,
  DOMAIN_LIST_ALL_CHECKPOINTS: 413,
  DOMAIN_CHECKPOINT_LOOKUP_BY_NAME: 415,
  DOMAIN_CHECKPOINT_DELETE: 417,
  DOMAIN_BACKUP_BEGIN: 421,
  DOMAIN_BACKUP_GET_XML_DESC: 422,
} as const;

/** virDrvFeature values used with CONNECT_SUPPORTS_FEATURE. */
export const DrvFeature = { PROGRAM_KEEPALIVE: 10 } as const;

/** virDomainEventID */
export const DomainEventId = {
  LIFECYCLE: 0,
  BLOCK_JOB_2: 16,
  AGENT_LIFECYCLE: 18,
  JOB_COMPLETED: 21,
} as const;

/** virDomainXMLFlags: INACTIVE = the persistent definition, not the running one. */
export const DomainXmlFlags = { SECURE: 1, INACTIVE: 2, UPDATE_CPU: 4, MIGRATABLE: 8 } as const;
export const DomainStartFlags = { PAUSED: 1 } as const;
export const DomainShutdownFlags = { DEFAULT: 0, ACPI_POWER_BTN: 1, GUEST_AGENT: 2 } as const;
export const DomainDestroyFlags = { DEFAULT: 0, GRACEFUL: 1 } as const;
export const DomainDefineFlags = { VALIDATE: 1 } as const;
export const DomainUndefineFlags = {
  MANAGED_SAVE: 1,
  SNAPSHOTS_METADATA: 2,
  NVRAM: 4,
  KEEP_NVRAM: 8,
  CHECKPOINTS_METADATA: 16,
} as const;
export const CheckpointCreateFlags = { REDEFINE: 1, QUIESCE: 2, REDEFINE_VALIDATE: 4 } as const;
export const CheckpointDeleteFlags = { CHILDREN: 1, METADATA_ONLY: 2, CHILDREN_ONLY: 4 } as const;
export const CheckpointXmlFlags = { SECURE: 1, NO_DOMAIN: 2, SIZE: 4 } as const;
export const BackupBeginFlags = { REUSE_EXTERNAL: 1 } as const;
export const JobStatsFlags = { COMPLETED: 1, KEEP_COMPLETED: 2 } as const;

/** virDomainState, index = value. */
export const DOMAIN_STATES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
] as const;

/** virDomainPausedReason, index = value. */
export const PAUSED_REASONS = [
  'unknown',
  'user',
  'migration',
  'save',
  'dump',
  'ioerror',
  'watchdog',
  'from-snapshot',
  'shutting-down',
  'snapshot',
  'crashed',
  'starting-up',
  'postcopy',
  'postcopy-failed',
  'api-error',
] as const;

/** virDomainEventType, index = value. */
export const LIFECYCLE_EVENTS = [
  'defined',
  'undefined',
  'started',
  'suspended',
  'resumed',
  'stopped',
  'shutdown',
  'pmsuspended',
  'crashed',
] as const;

/** virDomainJobType, index = value. */
export const JOB_TYPES = ['none', 'bounded', 'unbounded', 'completed', 'failed', 'cancelled'] as const;

/** virDomainJobOperation, index = value. */
export const JOB_OPERATIONS = [
  'unknown',
  'start',
  'save',
  'restore',
  'migration-in',
  'migration-out',
  'snapshot',
  'snapshot-revert',
  'dump',
  'backup',
  'snapshot-delete',
] as const;

/** virConnectDomainEventAgentLifecycleState */
export const AgentLifecycleState = { CONNECTED: 1, DISCONNECTED: 2 } as const;
