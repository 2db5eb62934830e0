
// ---- stagecraft-validator types (crates/wasm/src/ts/stagecraft.d.ts) ----

/** A method-setting key: `~1pets~1{petId}/GET`, `~1/GET` for the root resource, or `*` + `/` + `*`. */
export type MethodSettingKey = string;

/** Access logging of a stage. */
export interface AccessLogSettings {
  /** Single-line log format; must contain `$context.requestId` (or `$context.extendedRequestId`). */
  format?: string;
  /** CloudWatch Logs log-group ARN or an `amazon-apigateway-*` Firehose delivery-stream ARN. */
  destinationArn?: string;
}

/** A canary release on a stage. */
export interface CanarySettings {
  /** Share of traffic sent to the canary, 0.0 to 100.0. */
  percentTraffic?: number;
  /** The canary's deployment. */
  deploymentId?: string;
  /** Stage variables the canary overrides. */
  stageVariableOverrides?: Record<string, string>;
  /** Whether the canary uses the stage cache. */
  useStageCache?: boolean;
}

/** A stage as GetStage (or `aws apigateway get-stage`) returns it. */
export interface Stage {
  deploymentId?: string;
  clientCertificateId?: string;
  /** `[A-Za-z0-9_-]{1,128}`. */
  stageName?: string;
  description?: string;
  cacheClusterEnabled?: boolean;
  cacheClusterSize?: CacheClusterSize;
  cacheClusterStatus?: CacheClusterStatus;
  /** Entries by key (see {@link MethodSettingKey}). */
  methodSettings?: Record<MethodSettingKey, MethodSetting>;
  /** Stage variables (names `[A-Za-z0-9_]+`, at most 100). */
  variables?: Record<string, string>;
  documentationVersion?: string;
  accessLogSettings?: AccessLogSettings;
  canarySettings?: CanarySettings;
  tracingEnabled?: boolean;
  /** Set through AWS WAF, not UpdateStage. */
  webAclArn?: string;
  /** Set through TagResource, not UpdateStage. */
  tags?: Record<string, string>;
  /** Epoch seconds (wire form) or an ISO-8601 date-time (AWS CLI form). */
  createdDate?: number | string;
  /** Epoch seconds (wire form) or an ISO-8601 date-time (AWS CLI form). */
  lastUpdatedDate?: number | string;
}

/** One UpdateStage patch operation; `value` is always a string. */
export interface PatchOperation {
  op: PatchOp;
  /** A stage path such as `/deploymentId` or `/~1pets/GET/caching/ttlInSeconds`. */
  path: string;
  value?: string;
  /** The source of a `copy` (canary promotion). */
  from?: string;
}

/** The body of an UpdateStage request. */
export interface PatchOperations {
  patchOperations: PatchOperation[];
}

/** One problem found by {@link validateStage} or {@link validatePatch}. */
export interface ValidationIssue {
  /** JSON Pointer into the checked document (`""` for the document itself). */
  path: string;
  /** Stable machine code. */
  code: IssueCode;
  /** Human-readable message: AWS's exact text where AWS has one. */
  message: string;
}

/** The result of a validation. */
export interface ValidationReport {
  valid: boolean;
  /** Every issue, ordered by path. */
  errors: ValidationIssue[];
}

/** A decoded method-setting key. */
export interface ParsedMethodSettingKey {
  /** `/pets/{petId}`, `/`, or `*`. */
  resourcePath: string;
  /** `GET`, `ANY`, or `*`. */
  httpMethod: string;
  /** Whether the key is in the encoded form that binds to a real method (`pets/GET` is stored but binds to nothing). */
  canonical: boolean;
}

/** Where a method setting in force comes from: the method's own entry, the stage-wide `*\/*` entry, or AWS's default. */
export type SettingSource = "method" | "*/*" | "default";

/** One method setting in force and where it comes from. */
export interface EffectiveValue<T> {
  value: T;
  source: SettingSource;
}

/** The method settings in force for one method (`effectiveMethodSettings`). */
export interface EffectiveMethodSettings {
  /** The method's key, e.g. `~1pets/GET`. */
  key: MethodSettingKey;
  /** Every method setting; `loggingLevel` is `"OFF"` when no entry sets it. */
  settings: { [F in MethodSettingFieldName]-?: EffectiveValue<NonNullable<MethodSetting[F]>> };
}

/** One row of the method-settings table (for forms and tables). */
export interface MethodSettingField {
  field: MethodSettingFieldName;
  patchSuffix: MethodSettingPatchSuffix;
  group: MethodSettingGroup;
  groupLabel: string;
  type: "boolean" | "integer" | "number" | "string";
  minimum?: number;
  maximum?: number;
  enum?: string[];
  /** The value AWS stores for a new key; absent when the field stays unset. */
  default?: boolean | number | string;
  label: string;
  help: string;
}

/** A JSON Schema (draft 2020-12) document. */
export interface JsonSchema {
  $schema?: string;
  title?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

/** The AWS error types (API Gateway 2015-07-09). */
export type AwsErrorName =
  | "BadRequestException"
  | "UnauthorizedException"
  | "NotFoundException"
  | "ConflictException"
  | "LimitExceededException"
  | "TooManyRequestsException"
  | "ServiceUnavailableException";

/**
 * What the functions throw, besides the built-in `SyntaxError` (JSON text that does not parse),
 * `TypeError` (a value JSON cannot represent, such as a cyclic object or a BigInt) and `RangeError`
 * (input over 32 MiB).
 *
 * - AWS error types (`BadRequestException`, …): `message` is AWS's exact text; for operations refused
 *   before they reach the stage, `path` and `errors` say where.
 * - `UnsupportedChangeError` (diffStages): a change UpdateStage cannot make; `field` names it.
 * - `ValidationError` (diffStages, applyPatch): a stage argument that does not validate; `errors` lists why.
 */
export interface StagecraftError extends Error {
  name: AwsErrorName | "UnsupportedChangeError" | "ValidationError";
  /** The stage field a diff cannot change (UnsupportedChangeError). */
  field?: string;
  /** JSON Pointer of the first issue. */
  path?: string;
  /** Every issue. */
  errors?: ValidationIssue[];
}
