// The public entry of the pure core. Explicit names only (no `export *`), so what other layers
// depend on is visible in one place.

// Customers and events
export { AttributeValue, Channel, ComputedProfile, CustomerId, CustomerProfile, JourneyCustomer, LifecycleStage, RfmCell, RfmScore, ValueTier, journeyView } from './customer.ts';
export { Consent, ConsentInput, ConsentRecord, ConsentSource, ConsentWrite, consentRecords, hasConsent, isLegacyConsent, refusesPersonalisation, upgradeConsent } from './consent.ts';
export { CustomerEvent, EventType, StoredEvent, eventKey, lifecyclePropertyIssues, wellKnownEvents } from './event.ts';
export { RunRecord, RunStatus } from './run.ts';
export { runProgress, traceNodes, waitingOn } from './progress.ts';
export type { RunProgress, RunWaiting } from './progress.ts';

// Conditions
export {
  AttributeType,
  ComparisonOp,
  Condition,
  PropertyFilter,
  SimpleCondition,
  attributeValue,
  builtinAttributes,
  compareValue,
  evaluateCondition,
  eventMatches,
} from './condition.ts';
export type { ConditionContext } from './condition.ts';

// Graph, settings, definition
export { FrequencyCap, Goal, JourneyPriority, JourneySettings, QuietHours, ReEntry, SendDays, priorityRank, reEntryAllowed } from './settings.ts';
export { CapNote, CappedStep, OnCap, arbitrate, capNote, capReason, claimStaleAfter, goesFirst, yieldRecheck } from './caps.ts';
export type { CapClaim, CapHolder, CapSlot, CapVerdict } from './caps.ts';
export { GraphEdge, JourneyGraph, JourneyId, graphJsonSchema } from './graph.ts';
export { HandleId, NodeId, PageCursor, Position } from './ids.ts';
export { JourneyDefinition } from './definition.ts';

// Node kinds
export { GraphNode, NodeKind, actionKinds, actionSpecOf, exitsOf, isNodeKind, nodeName, nodeRegistry, summaryOf } from './nodes/registry.ts';
export type { ActivityOf, NodeConfigMap, NodeRegistry } from './nodes/registry.ts';
export type { ActionSpec, ExitSpec, NodeCategory, NodeSpec } from './nodes/spec.ts';
export { ApiTriggerConfig } from './nodes/trigger-api.ts';
export { AudienceTriggerConfig } from './nodes/trigger-audience.ts';
export { DateTriggerConfig, dateTriggerTime } from './nodes/trigger-date.ts';
export { LunarDate, formatLunarDate, lunarAnniversariesIn, readLunarDate } from './lunar.ts';
export type { LunarCalendar, LunarMonthDay } from './lunar.ts';
export { EventTriggerConfig, eventIsFresh } from './nodes/trigger-event.ts';
export { SegmentTriggerConfig } from './nodes/trigger-segment.ts';
export { WaitConfig } from './nodes/wait.ts';
export { WaitForEventConfig } from './nodes/wait-for-event.ts';
export { BranchConfig } from './nodes/branch.ts';
export { HOLDOUT_ARM, SplitConfig, splitArm, splitBucket } from './nodes/split.ts';
export { ExitConfig } from './nodes/exit.ts';
export { EmailConfig } from './nodes/email.ts';
export { SmsConfig } from './nodes/sms.ts';
export { CouponConfig, CouponOffer } from './nodes/coupon.ts';
export { TaskConfig } from './nodes/task.ts';
export { UpdateConfig, UpdateOperation, applyUpdate } from './nodes/update.ts';
export { WebhookConfig } from './nodes/webhook.ts';
export { idempotencyKey } from './nodes/action.ts';

// Compiler
export { compile, decompile } from './compile/compile.ts';
export { CompileError, CompileErrorCode } from './compile/errors.ts';
export type { CompileContext } from './compile/errors.ts';
export type { Result } from './result.ts';

// Interpreter
export { enterStep, step } from './interpreter/step.ts';
export { MigrationIssue, MigrationIssueCode, MigrationMapping, MigrationRecord, MigrationSkip, canHoldRun, checkTarget, holdingSteps, migrateRun, planMigration, targetOf } from './migrate.ts';
export type { MigrationResult, MigrationRow, WaitingAt } from './migrate.ts';
export {
  ActionCommand,
  Command,
  CompleteReason,
  HistoryEntry,
  JourneyState,
  StepInput,
  WaitReason,
  waitingOutcomes,
} from './interpreter/types.ts';
export type { ActionKind, BlockingCommand, StepResult } from './interpreter/types.ts';
export { limits } from './limits.ts';

// Simulator
export { simulate } from './simulate/simulate.ts';
export type { SimulationOptions } from './simulate/simulate.ts';
export { behaviourByStage, generateCohort, neverResponds } from './simulate/cohort.ts';
export { forecastPath, pathAssumptions } from './simulate/path.ts';
export type { CustomerPath, PathAssumption } from './simulate/path.ts';
export type { BehaviourModel, ScriptedEvent, SimCustomer } from './simulate/cohort.ts';
export type { ArmStats, ChannelStats, CustomerTimeline, NodeStats, SimulationReport } from './simulate/report.ts';

// Message templates
export { AliyunSmsTemplate, aliyunPromotionalSuffix, aliyunTemplateVariables, missingAliyunParam, LocalizedMessage, MessageTemplate, MessageTemplateMeta, templateCatalogue } from './template.ts';

// Pure helpers
export { aliyunNumber, aliyunSmsBilling, e164FromAliyun, smsSegments } from './sms.ts';
export type { SmsSegments } from './sms.ts';
export { addDays, effectiveTimezone, isValidTimezone, localParts, nextAllowedTime, nextWindowTime, zonedTimeToUtc } from './timezone.ts';
export { createRandom, stableHash } from './hash.ts';
export type { Random } from './hash.ts';
export { diffDefinitions } from './diff.ts';
export type { DefinitionDiff } from './diff.ts';
export { DAY, Duration, HOUR, LocalTime, MINUTE, Weekday, durationMs } from './time.ts';
