// Must compile under `tsc --strict --noEmit` against the installed package (types.test.mjs).
import {
  applyPatch, diffStages, effectiveMethodSettings, methodSettingFields, methodSettingKey, parseMethodSettingKey, stageSchema,
  validatePatch, validateStage,
} from 'stagecraft-validator';
import type {
  EffectiveMethodSettings, IssueCode, MethodSetting, MethodSettingField, ParsedMethodSettingKey, PatchOperation, Stage,
  StagecraftError, ValidationIssue, ValidationReport,
} from 'stagecraft-validator';
import initWeb, { validateStage as validateInBrowser } from 'stagecraft-validator/web';

const ttl: MethodSetting = { cacheTtlInSeconds: 60, loggingLevel: 'INFO', unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403' };
const before: Stage = { stageName: 'prod', deploymentId: 'abc', cacheClusterSize: '0.5', methodSettings: {} };
const after: Stage = { ...before, methodSettings: { [methodSettingKey('/pets', 'GET')]: ttl } };

const report: ValidationReport = validateStage(after);
const fromText: ValidationReport = validateStage(JSON.stringify(after));
const first: ValidationIssue | undefined = report.errors[0];
const code: IssueCode | undefined = first?.code;
const isTtl: boolean = code === 'invalid_ttl' && fromText.valid;

const ops: PatchOperation[] = diffStages(before, after);
const next: Stage = applyPatch(before, ops);
const again: Stage = applyPatch(before, { patchOperations: [{ op: 'replace', path: '/description', value: 'x' }] });
const patchReport: ValidationReport = validatePatch(ops);
const key: ParsedMethodSettingKey | null = parseMethodSettingKey('~1pets/GET');
const fields: MethodSettingField[] = methodSettingFields();
const labels: string[] = fields.map((f) => `${f.groupLabel}: ${f.label} (${f.field}, ${f.type})`);
const schemaType = stageSchema().type;
const effective: EffectiveMethodSettings = effectiveMethodSettings(after, '/pets', 'GET');
const ttlInForce: number = effective.settings.cacheTtlInSeconds.value;
const strategyFromStageWide: boolean = effective.settings.unauthorizedCacheControlHeaderStrategy.source === '*/*';

try {
  applyPatch(next, ops);
} catch (e) {
  const err = e as StagecraftError;
  if (err.name === 'BadRequestException' || err.name === 'UnsupportedChangeError') console.log(err.message, err.field);
}

async function browser(): Promise<boolean> {
  await initWeb();
  return validateInBrowser({ tracingEnabled: true }).valid;
}

console.log(isTtl, again, patchReport, key?.resourcePath, labels, schemaType, browser);
