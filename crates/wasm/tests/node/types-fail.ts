// Must NOT compile: every line marked FAIL is a type error that `tsc --strict` must report (types.test.mjs
// checks that exactly the marked lines fail).
import { applyPatch, diffStages, methodSettingKey, validateStage } from 'stagecraft-validator';
import type { MethodSetting, PatchOperation, Stage, ValidationReport } from 'stagecraft-validator';

const stage: Stage = { stageName: 'prod' };
validateStage(42); // FAIL: not a Stage or JSON text
const size: Stage = { cacheClusterSize: '2' }; // FAIL: not one of the eight sizes
const ttl: MethodSetting = { cacheTtlInSeconds: '300' }; // FAIL: a number, not a string
const level: MethodSetting = { loggingLevel: 'DEBUG' }; // FAIL: OFF | ERROR | INFO
const typo: MethodSetting = { cacheTTL: 5 }; // FAIL: unknown field
const op: PatchOperation = { op: 'bogus', path: '/description' }; // FAIL: not a PatchOp
const value: PatchOperation = { op: 'replace', path: '/description', value: 5 }; // FAIL: values are strings
applyPatch(stage, [{ path: '/description' }]); // FAIL: op missing
methodSettingKey('/pets'); // FAIL: httpMethod missing
const ops: string = diffStages(stage, stage); // FAIL: PatchOperation[]
const report: ValidationReport = validateStage(stage);
const valid: string = report.valid; // FAIL: boolean
if (report.errors[0].code === 'no_such_code') console.log(report); // FAIL: not an IssueCode
console.log(size, ttl, level, typo, op, value, ops, valid);
