// Public API of the fake Databricks workspace.
export { startFakeWorkspace, type FakeWorkspace, type FakeWorkspaceOptions } from './server.ts';
export { VirtualClock, realClock, VIRTUAL_EPOCH_MS, type Clock } from './clock.ts';
export { Scenario, type ScenarioData, type ScenarioInput, type TaskOutcome, type TaskDurations, type PipelineScript, type FlowScript, type ExpectationScript } from './scenario.ts';
export { faults, type Fault, type FaultRule, type FaultConfig, type RandomFaults } from './http/faults.ts';
export type { TokenSpec, TokenKind, OAuthClient } from './http/auth.ts';
export { REDACTED, type RequestRecord } from './http/request-log.ts';
export { parseJson, toJson } from './http/json.ts';
export { createWorkspaceState, DEFAULT_USER, type RunRecord, type WorkspaceState } from './state.ts';
export { openStateDir, memoryStore, STATE_FILE, type WorkspaceStore } from './store/workspace-store.ts';
export { CorruptStateError } from './store/codec.ts';
export { StateDirLockedError, LOCK_FILE, type LockHolder } from './store/dir-lock.ts';
export type { BlobRef } from './store/blobs.ts';
export { FIRST_UNSAFE_ID } from './ids.ts';
export { TaskExecutionError, type PipelineUpdateExecution, type RunObserver, type TaskExecution, type TaskExecutionResult, type TaskExecutor } from './task-executor.ts';
