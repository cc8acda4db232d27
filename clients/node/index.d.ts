// Types of policyhub-client. Requests and answers are the canonical JSON of the rulebook's
// vocabulary.md: proto field names, dates as "YYYY-MM-DD" (or "YYYY-MM") strings, codes as the
// vocabulary's lower-case strings. Answers always carry every field without presence.

import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
type Pem = Buffer | string; // PEM content as a Buffer, or the path of a PEM file

// ------------------------------------------------------------------ submissions

export interface Member {
  id?: string; name?: string; gender?: string; birth_date?: string; age?: number; joined_party?: string;
  unit?: string; position?: string; phone?: string; branch?: string; grid?: string; roles?: string[];
  extra?: JsonObject;
}
export interface Organization { id?: string; name?: string; type?: string; extra?: JsonObject }
export interface PledgeItem {
  id?: string; category?: string; text?: string; target?: string; measures?: string; due?: string;
  carried_from?: string; extra?: JsonObject;
}
export interface Review { level?: string; approved?: boolean; at?: string; seal?: boolean }
export interface Pledge {
  id?: string; year?: number; pledger?: string; member?: Member; organization?: Organization;
  items?: PledgeItem[]; oral?: boolean; signed_at?: string; submitted_at?: string; reviews?: Review[];
  published_at?: string; publication_channels?: string[]; copies?: number; filed_with?: string[];
  supervision?: { phone?: string; email?: string };
  previous_items?: { id?: string; text?: string; status?: string }[];
  linked_households?: { head_name?: string; phone?: string }[];
  courtyard?: string; extra?: JsonObject;
}
export interface Attendance {
  party_members?: number; representatives?: number; group_leaders?: number; town_leaders?: number;
  supervisory_committee?: number; non_party?: number;
}
export interface Meeting {
  id?: string; org?: Organization; type?: string; date?: string; chair_role?: string; attendance?: Attendance;
  segments?: string[]; vote_counters?: string[]; vote_supervisors?: string[];
  minutes_signed_by_questioners?: boolean; minutes_signed_by_liaison_cadre?: boolean; photos?: number;
  rectification?: {
    published?: boolean;
    items?: { content?: string; measures?: string; deadline?: string; owner?: string }[];
  };
  extra?: JsonObject;
}
export interface Log {
  org?: Organization; period?: { start?: string; end?: string }; meetings?: Meeting[];
  activities?: { member_id?: string; date?: string; photos?: number; kind?: string; extra?: JsonObject }[];
  members?: Member[];
  grids?: { name?: string; leader_is_member?: boolean; member_ids?: string[]; households?: number }[];
  records_complete?: boolean; affairs_published?: boolean;
  rectification_ledger?: { issue?: string; owner?: string; deadline?: string; closed?: boolean }[];
  extra?: JsonObject;
}
export interface Round {
  name?: string; month?: string; eligible?: number; cast?: number; invalid?: number;
  tallies?: { [option: string]: number };
}
export interface Ballot {
  purpose?: string; year?: number;
  subject?: { id?: string; name?: string; kind?: string; role?: string; roles?: string[] };
  scheme?: string; rounds?: Round[]; aspects?: string[]; final_grade?: string;
  history?: { year?: number; grade?: string }[];
  award?: string; selected?: number; base_count?: number;
  ballots?: { round?: string; choice?: string }[];
  extra?: JsonObject;
}

interface RequestCommon {
  /** A pack id or id@version; else resolved from locality and date. */
  pack?: string;
  locality?: string;
  /** The day the submission speaks for, YYYY-MM-DD. */
  date?: string;
  /** Ask for the trace of every rule evaluated. */
  trace?: boolean;
  /** Your own id, echoed in the decision and in batch results. */
  request_id?: string;
}
/** Exactly one submission per request. */
export type EvaluateRequest = RequestCommon & (
  | { pledge: Pledge; meeting?: never; log?: never; ballot?: never }
  | { meeting: Meeting; pledge?: never; log?: never; ballot?: never }
  | { log: Log; pledge?: never; meeting?: never; ballot?: never }
  | { ballot: Ballot; pledge?: never; meeting?: never; log?: never }
);

// ------------------------------------------------------------------ answers

export interface Text { zh: string; en: string }
export interface Citation { document: string; clause: string }
export interface Violation { rule_id: string; severity: string; path: string; message?: Text; citation?: Citation }
export interface Grade {
  subject_id: string; scheme: string; code: string; label?: Text; rule_id: string; citation?: Citation;
}
export interface Consequence {
  subject_id: string; code: string; label?: Text; rule_id: string; citation?: Citation; params?: JsonObject;
}
export interface TraceEntry { rule_id: string; applicable: boolean; fired: boolean; condition: string; matched: JsonObject[] }
export interface Decision {
  decision_id: string;
  pack?: { id: string; version: string };
  /** True when no violation has severity "error". */
  compliant: boolean;
  violations: Violation[];
  grades: Grade[];
  consequences: Consequence[];
  trace: TraceEntry[];
  request_id: string;
  /** Findings of severity "info": notes, not violations; they never affect `compliant`. */
  notes: Violation[];
}
export interface FieldViolation { field: string; description: string }
export interface ResultError {
  /** INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION or INTERNAL */
  code: string;
  message: string;
  field_violations: FieldViolation[];
}
/** One batch item's outcome: a decision or its own error. index counts from 0 over the whole input. */
export type Result =
  | { index: number; request_id: string; decision: Decision; error?: never }
  | { index: number; request_id: string; error: ResultError; decision?: never };

export interface PackInfo {
  id: string; version: string; title?: Text; locality: string; issuing_body?: Text; document_number: string;
  source_seed: string; effective_from: string; /** empty: open-ended */ effective_to: string; kinds: string[];
}
export interface RuleInfo {
  id: string; kinds: string[]; severity: string; citation?: Citation; message?: Text; thresholds: string[];
  consequences: string[]; grades: boolean;
}
export interface Interpretation {
  id: string; text?: Text; setting: string; default_value?: JsonValue; value?: JsonValue; rule_ids: string[];
}
export interface PackDetail { info?: PackInfo; rules: RuleInfo[]; thresholds?: JsonObject; interpretations: Interpretation[] }

// ------------------------------------------------------------------ client

export interface RetryPolicy {
  /** Calls made at most while the server is UNAVAILABLE (default 5). Other codes are never retried. */
  maxAttempts: number;
  /** The longest wait before the second attempt (default 100); waits are uniform in [0, ceiling). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  multiplier: number;
}
export interface TlsSettings {
  /** The CA that signed the server's certificate; default: the system's roots. */
  rootCerts?: Pem;
  /** This client's certificate and key, for mutual TLS. */
  certChain?: Pem;
  privateKey?: Pem;
  /** The name to check the server's certificate against, when it is not the target's host. */
  serverName?: string;
}
export interface ClientOptions {
  /** Plaintext when absent or false; true: TLS with the system's roots. */
  tls?: boolean | TlsSettings | ChannelCredentials;
  /** Deadline of each call, retries included (default 10000). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called before each retry's wait. */
  onRetry?: (info: { method: string; attempt: number; waitMs: number }) => void;
  channelOptions?: ChannelOptions;
}
export interface CallOptions { timeoutMs?: number }

export class PolicyHubClient {
  constructor(target?: string, options?: ClientOptions);
  readonly target: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  evaluate(request: EvaluateRequest, options?: CallOptions): Promise<Decision>;
  /**
   * Results in input order as the input is read, batchSize requests per EvaluateBatch call
   * (default 200), one call in flight ahead: memory stays bounded however long the input.
   */
  evaluateBatch(
    requests: Iterable<EvaluateRequest> | AsyncIterable<EvaluateRequest>,
    options?: CallOptions & { batchSize?: number },
  ): AsyncGenerator<Result, void, undefined>;
  listPacks(options?: CallOptions & { locality?: string }): Promise<PackInfo[]>;
  getPack(pack: string, options?: CallOptions): Promise<PackDetail>;
  close(): void;
}

/** A failed call. `code`: the gRPC status name; `details`: the server's message. */
export class PolicyHubError extends Error {
  readonly code: string;
  readonly details: string;
  readonly fieldViolations: FieldViolation[];
  /** Calls made: more than 1 only after retries on UNAVAILABLE. */
  readonly attempts: number;
}
export class InvalidArgumentError extends PolicyHubError {}
export class NotFoundError extends PolicyHubError {}
export class FailedPreconditionError extends PolicyHubError {}
export class UnavailableError extends PolicyHubError {}
export class DeadlineExceededError extends PolicyHubError {}
export class InternalError extends PolicyHubError {}
/** A batch item's error as the matching error object, to throw if you wish. */
export function fromResultError(error: ResultError): PolicyHubError;

export const DEFAULT_TARGET: string;
export const DEFAULT_TIMEOUT_MS: number;
export const DEFAULT_BATCH_SIZE: number;
export const MAX_BATCH_SIZE: number;
export const DEFAULT_RETRY: Readonly<RetryPolicy>;
