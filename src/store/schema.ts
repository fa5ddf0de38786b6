import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Every table carries account_id (the nonce table is keyed
 * by AccessKeyId, which already names one account's key or an STS key). Conventions:
 * - ids and names are text; `name_key` is the lower-cased name, unique per account, so
 *   names are unique case-insensitively while the name is kept as written;
 * - booleans are integers 0/1 (the same on SQLite and PostgreSQL);
 * - dates are ISO 8601 UTC text (`2015-01-23T12:33:18Z`), which sorts as it reads; expiry
 *   instants that need sub-second precision keep milliseconds (`...:18.123Z`);
 * - JSON documents (password policy, security preference, quota overrides, password
 *   history) are text.
 */
export interface AccountsTable {
  account_id: string;
  alias: string | null;
  /** Lower-cased alias; unique across the deployment. */
  alias_key: string | null;
  root_password_hash: string;
  permissions_version: number;
  quotas: string | null;
  password_policy: string | null;
  security_preference: string | null;
  create_date: string;
  update_date: string;
  /**
   * How many users, groups, roles, custom policies and virtual MFA devices the account
   * has; kept in the transaction that inserts or deletes one (quota checks read these).
   */
  user_count: Generated<number>;
  group_count: Generated<number>;
  role_count: Generated<number>;
  policy_count: Generated<number>;
  mfa_device_count: Generated<number>;
  /** The root's failed logons in the window that started at root_failed_since (migration 006). */
  root_failed_attempts: Generated<number>;
  root_failed_since: Generated<string | null>;
  /** Until when the root's logon is locked (MaxLoginAttemps reached); null when not locked. */
  root_locked_until: Generated<string | null>;
  /** JSON array of the root's earlier password hashes, newest first (PasswordReusePrevention). */
  root_password_history: Generated<string>;
  /** name_key of the virtual MFA device bound to the root; null when none. */
  root_mfa_device: Generated<string | null>;
  /** IMS user-based SSO settings, JSON; null until set. Migration 005. */
  user_sso_settings: string | null;
  /** The auxiliary domain of user_sso_settings, lower-cased; unique; null when none. Migration 017. */
  auxiliary_domain: Generated<string | null>;
}

export interface UsersTable {
  account_id: string;
  user_id: string;
  user_name: string;
  name_key: string;
  display_name: string | null;
  email: string | null;
  mobile_phone: string | null;
  comments: string | null;
  create_date: string;
  update_date: string;
  last_login_date: string | null;
}

export interface LoginProfilesTable {
  account_id: string;
  user_id: string;
  password_hash: string;
  /** JSON array of earlier hashes, newest first (PasswordReusePrevention). */
  password_history: string;
  password_reset_required: number;
  mfa_bind_required: number;
  status: string;
  failed_attempts: number;
  /** Start of the window (one hour) in which failed_attempts count (migration 006). */
  failed_since: Generated<string | null>;
  locked_until: string | null;
  password_changed_date: string;
  create_date: string;
  update_date: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  account_id: string;
  /** null for a root key. */
  user_id: string | null;
  secret_sealed: string;
  status: string;
  create_date: string;
  last_used_date: string | null;
}

export interface MfaDevicesTable {
  account_id: string;
  name_key: string;
  device_name: string;
  serial_number: string;
  seed_sealed: string;
  user_id: string | null;
  activate_date: string | null;
  /** The last TOTP time step accepted, to refuse a replayed code. */
  last_step: number | null;
  create_date: string;
  /**
   * The RAM user that created the device for itself under self-service (the security
   * preference, no policy); null when the root or a policy created it. Migration 004.
   */
  owner_user_id: string | null;
}

export interface GroupsTable {
  account_id: string;
  group_id: string;
  group_name: string;
  name_key: string;
  display_name: string | null;
  comments: string | null;
  create_date: string;
  update_date: string;
}

export interface GroupMembersTable {
  account_id: string;
  group_id: string;
  user_id: string;
  join_date: string;
}

export interface RolesTable {
  account_id: string;
  role_id: string;
  role_name: string;
  name_key: string;
  description: string | null;
  trust_policy: string;
  max_session_duration: number;
  create_date: string;
  update_date: string;
}

export interface PoliciesTable {
  account_id: string;
  policy_id: string;
  policy_name: string;
  name_key: string;
  description: string | null;
  default_version: number;
  /** Number the next version gets (v<next_version>); never reused. */
  next_version: number;
  create_date: string;
  update_date: string;
}

export interface PolicyVersionsTable {
  account_id: string;
  policy_id: string;
  version_num: number;
  document: string;
  create_date: string;
}

export interface AttachmentsTable {
  account_id: string;
  /** 'System' | 'Custom' */
  policy_type: string;
  /** Lower-cased policy name. */
  policy_key: string;
  /** 'user' | 'group' | 'role' */
  principal_type: string;
  principal_id: string;
  attach_date: string;
}

export interface TagsTable {
  account_id: string;
  /** 'role' | 'policy' */
  resource_type: string;
  resource_id: string;
  tag_key: string;
  tag_value: string;
}

export interface NoncesTable {
  access_key_id: string;
  nonce: string;
  expires_at: string;
}

/**
 * The master keys the store's sealed values are sealed under, by id (never the key): one
 * `current`; during a rotation the `previous` one, still holding values; then `retired`.
 */
export interface DeploymentKeysTable {
  key_id: string;
  /** 'current' | 'previous' | 'retired' */
  state: string;
  create_date: string;
  retire_date: string | null;
}

/** What operator commands did to the store (deployment-level; never a secret). */
export interface OperatorLogTable {
  id: string;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  /** e.g. 'admin.reset-root-password', 'keys.rotate' */
  action: string;
  account_id: string | null;
  /** The operating-system user and host that ran the command. */
  actor: string;
  /** JSON object. */
  detail: string;
}

/** A workload bound to a role (credentials endpoint); see migration 008. */
export interface WorkloadIdentitiesTable {
  workload_id: string;
  account_id: string;
  name: string;
  name_key: string;
  role_id: string;
  /** SHA-256 hex of the binding secret. */
  secret_hash: string;
  /** `;`-separated CIDR blocks; '' allows any address. */
  networks: string;
  duration_seconds: number;
  create_date: string;
  last_used_date: string | null;
}

/** A console session (migration 006). The opaque id is never stored, only its SHA-256. */
export interface LogonSessionsTable {
  /** Hex SHA-256 of the session id. */
  session_hash: string;
  account_id: string;
  /** 'Root' | 'RAMUser' */
  principal_type: string;
  /** The RAM user's id; null for the root. */
  user_id: string | null;
  mfa_present: number;
  source_ip: string;
  create_date: string;
  /** ISO 8601 UTC with milliseconds. */
  expires_at: string;
  /** A role-based SSO session (principal_type 'AssumedRole', migration 012): the role, session name, SAML provider. */
  role_id?: string | null;
  role_session_name?: string | null;
  federated_by?: string | null;
}

/** An accepted SAML assertion ID, until its assertion expires (migration 012). */
export interface SamlAssertionIdsTable {
  issuer: string;
  assertion_id: string;
  expires_at: string;
}

/** An AuthnRequest sent for SP-initiated logon, until answered or expired (migration 012). */
export interface SamlRequestsTable {
  request_id: string;
  account_id: string;
  expires_at: string;
}

/** A pending logon step (migration 006), keyed by the SHA-256 of its single-use token. */
export interface WebAuthnCredentialsTable {
  credential_id: string;
  account_id: string;
  /** 'Root' | 'RAMUser' */
  principal_type: string;
  user_id: string | null;
  /** COSE public key, base64url. */
  public_key: string;
  sign_count: number | string | bigint;
  /** JSON array of transports. */
  transports: string;
  name: string;
  create_date: string;
  last_used_date: string | null;
}

export interface WebAuthnChallengesTable {
  key_hash: string;
  /** 'register' | 'authenticate' */
  purpose: string;
  challenge: string;
  expires_at: string;
}

export interface LogonStepsTable {
  token_hash: string;
  account_id: string;
  principal_type: string;
  user_id: string | null;
  /** 'MFA' | 'ChangePassword' | 'BindMFA' */
  step: string;
  /** JSON: the steps still to come, MFA presence, a device being bound. */
  state: string;
  source_ip: string;
  expires_at: string;
}

/** Failed-logon counters (migration 006): per source address ('ip') and per login name ('name'). */
export interface LogonThrottleTable {
  scope: string;
  subject: string;
  window_start: string;
  failures: number;
}

/** A SAML identity provider (IMS). Migration 005. */
export interface SamlProvidersTable {
  account_id: string;
  name_key: string;
  provider_name: string;
  description: string | null;
  /** The IdP metadata as the caller sent it: base64 of the XML. */
  metadata: string | null;
  authn_sign_algo: string | null;
  create_date: string;
  update_date: string;
}

/** A Resource Directory (migration 010): one per management account. */
export interface RdDirectoriesTable {
  directory_id: string;
  master_account_id: string;
  root_folder_id: string;
  /** 'Enabled' | 'Disabled' */
  control_policy_status: string;
  create_time: string;
}

/** A folder of a Resource Directory (migration 010); the Root folder has no parent, depth 0. */
export interface RdFoldersTable {
  folder_id: string;
  directory_id: string;
  folder_name: string;
  name_key: string;
  parent_folder_id: string | null;
  depth: number;
  create_time: string;
}

/** A member account of a Resource Directory (migration 010). */
export interface RdAccountsTable {
  account_id: string;
  directory_id: string;
  folder_id: string;
  display_name: string;
  /** 'ResourceAccount' (created in the directory) | 'CloudAccount' (the management account) */
  account_type: string;
  /** 'created' | 'invited' */
  join_method: string;
  join_time: string;
  modify_time: string;
}

/** A custom control policy (migration 010). */
export interface RdControlPoliciesTable {
  policy_id: string;
  directory_id: string;
  policy_name: string;
  name_key: string;
  description: string;
  /** 'RAM' | 'All' */
  effect_scope: string;
  document: string;
  create_date: string;
  update_date: string;
}

/** An OIDC identity provider (IMS). Migration 005. */
export interface OidcProvidersTable {
  account_id: string;
  name_key: string;
  provider_name: string;
  issuer_url: string;
  /** The issuer URL as compared for uniqueness (lower-cased scheme and host). */
  issuer_key: string;
  description: string | null;
  /** Comma-joined, in the order added. */
  client_ids: string;
  /** Comma-joined lower-case SHA-1 hex, in the order added. */
  fingerprints: string;
  /** Hours, 1..168. */
  issuance_limit_time: number;
  /** ISO 8601 UTC with milliseconds (GmtCreate / GmtModified are their epoch milliseconds). */
  create_date: string;
  update_date: string;
}

/** The credential report of an account (IMS): its generation state and the CSV. Migration 005. */
export interface CredentialReportsTable {
  account_id: string;
  /** 'inprogress' | 'complete' */
  state: string;
  /** ISO 8601 UTC with milliseconds: when the generation under way began. */
  started_at: string;
  /** When the stored content was generated; null before the first report completes. */
  generated_time: string | null;
  /** The CSV text of the last complete report. */
  content: string | null;
}

/** An OSS bucket; see migration 009. */
export interface OssBucketsTable {
  bucket_name: string;
  account_id: string;
  acl: string;
  storage_class: string;
  redundancy: string;
  /** The bucket policy (JSON text), null when none. */
  policy: string | null;
  create_date: string;
}

/** A visible OSS object: its file (`blob`) and what GetObject answers with. */
export interface OssObjectsTable {
  bucket_name: string;
  object_key: string;
  blob: string;
  /** bigint: PostgreSQL returns it as text. */
  size: number | string;
  etag: string;
  object_type: string;
  /** JSON object of stored response headers. */
  headers: string;
  last_modified: string;
}

/** A multipart upload in progress. */
export interface OssUploadsTable {
  upload_id: string;
  bucket_name: string;
  object_key: string;
  headers: string;
  initiated: string;
}

/** One uploaded part of a multipart upload. */
export interface OssPartsTable {
  upload_id: string;
  part_number: number;
  blob: string;
  size: number | string;
  etag: string;
  last_modified: string;
}

/**
 * One audit event, in its account's hash chain. `body` is the event's JSON text exactly as
 * hashed; the other columns copy the fields LookupEvents filters on. `account_id` is '' for
 * events of no account. `seq` counts from 1 per account; bigint columns come back as text
 * from PostgreSQL, as numbers from SQLite.
 */
export interface AuditEventsTable {
  account_id: string;
  seq: number | string | bigint;
  event_id: string;
  event_time: string;
  event_name: string;
  event_type: string;
  event_rw: string;
  service_name: string;
  user_name: string | null;
  principal_id: string | null;
  role_name: string | null;
  access_key_id: string | null;
  source_ip: string | null;
  resource_type: string | null;
  resource_name: string | null;
  /** 0/1: the event name is in the sensitive list. */
  sensitive: number;
  error_code: string | null;
  body: string;
  prev_hash: string;
  hash: string;
}

/** The head of an account's chain (locked while appending) and its retention. */
export interface AuditChainsTable {
  account_id: string;
  seq: number | string | bigint;
  hash: string;
  /** Days events are kept; null: the deployment default (90). */
  retention_days: number | null;
}

/** The chain hash at a seq, sealed under the master key (the seal is the signature). */
export interface AuditCheckpointsTable {
  account_id: string;
  seq: number | string | bigint;
  hash: string;
  created_at: string;
  seal: string;
}

/** A control policy attached to a node: Root folder, folder or member account id (migration 010). */
export interface RdControlAttachmentsTable {
  directory_id: string;
  target_id: string;
  policy_id: string;
  attach_date: string;
}

/** A background job's last scheduled run across the nodes of a deployment (migration 013). */
export interface JobRunsTable {
  name: string;
  started_at: string | null;
  finished_at: string | null;
  runs: number;
  node: string | null;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  login_profiles: LoginProfilesTable;
  access_keys: AccessKeysTable;
  mfa_devices: MfaDevicesTable;
  user_groups: GroupsTable;
  group_members: GroupMembersTable;
  roles: RolesTable;
  policies: PoliciesTable;
  policy_versions: PolicyVersionsTable;
  attachments: AttachmentsTable;
  tags: TagsTable;
  nonces: NoncesTable;
  deployment_keys: DeploymentKeysTable;
  operator_log: OperatorLogTable;
  workload_identities: WorkloadIdentitiesTable;
  logon_sessions: LogonSessionsTable;
  logon_steps: LogonStepsTable;
  webauthn_credentials: WebAuthnCredentialsTable;
  webauthn_challenges: WebAuthnChallengesTable;
  logon_throttle: LogonThrottleTable;
  saml_providers: SamlProvidersTable;
  oidc_providers: OidcProvidersTable;
  credential_reports: CredentialReportsTable;
  oss_buckets: OssBucketsTable;
  oss_objects: OssObjectsTable;
  oss_uploads: OssUploadsTable;
  oss_parts: OssPartsTable;
  audit_events: AuditEventsTable;
  audit_chains: AuditChainsTable;
  audit_checkpoints: AuditCheckpointsTable;
  rd_directories: RdDirectoriesTable;
  rd_folders: RdFoldersTable;
  rd_accounts: RdAccountsTable;
  rd_control_policies: RdControlPoliciesTable;
  rd_control_attachments: RdControlAttachmentsTable;
  rd_handshakes: RdHandshakesTable;
  rd_delegated_admins: RdDelegatedAdminsTable;
  job_runs: JobRunsTable;
  saml_assertion_ids: SamlAssertionIdsTable;
  saml_requests: SamlRequestsTable;
  logon_mfa_tickets: LogonMfaTicketsTable;
}

/** A remembered MFA ticket of a RAM user (security preference EnableSaveMFATicket, migration 017). */
export interface LogonMfaTicketsTable {
  /** Hex SHA-256 of the opaque token. */
  token_hash: string;
  account_id: string;
  user_id: string;
  /** SHA-256 of the login profile's password hash when issued: any change or reset ends the ticket. */
  password_stamp: string;
  /** SHA-256 of the user's MFA devices (virtual and security keys) when issued. */
  mfa_stamp: string;
  create_date: string;
  expires_at: string;
}

/** An invitation of an existing account into a directory (migration 015). */
export interface RdHandshakesTable {
  handshake_id: string;
  directory_id: string;
  /** 'Account' | 'Email' */
  target_type: string;
  target_entity: string;
  target_account_id: string;
  note: string;
  /** 'Pending' | 'Accepted' | 'Cancelled' | 'Declined' (Expired is decided at read time) */
  status: string;
  create_time: string;
  expire_time: string;
  modify_time: string;
}

/** A delegated administrator of a trusted service (migration 015). */
export interface RdDelegatedAdminsTable {
  account_id: string;
  service_principal: string;
  directory_id: string;
  enabled_time: string;
}
