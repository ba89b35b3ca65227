// Starts or joins an experiment activation through Temporal by the contract alone (CONTRACT.md,
// "Temporal"): no code of the Java worker is needed, only these names and policies.
import { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const WORKFLOW_TYPE = 'ActivateExperiment';
export const DEFAULT_TASK_QUEUE = 'experiment-activation';
export const EXPERIMENT_ID = defineSearchAttributeKey('ExperimentId', SearchAttributeType.KEYWORD);

export type ExperimentStatus = 'PENDING' | 'ACTIVE' | 'COMPLETED' | 'STOPPED' | 'FAILED';
export type Outcome = 'ACTIVATED' | 'ALREADY_ACTIVE' | 'NOT_FOUND' | 'REJECTED';

export interface ActivationRequest {
  experimentId: string;
  requestedBy: string | null;
}

export interface Violation {
  code: string;
  message: string;
}

export interface Experiment {
  id: string;
  name: string;
  description: string | null;
  startDate: string | null;
  endDate: string | null;
  status: ExperimentStatus;
  configuration: unknown;
  createdAt: string;
  updatedAt: string;
}

/** The workflow's result; a business outcome is a value, never a workflow failure. */
export interface ActivationResult {
  experimentId: string;
  outcome: Outcome;
  message: string;
  violations: Violation[];
  experiment: Experiment | null;
  previousStatus: ExperimentStatus | null;
  activatedAt: string | null;
}

export function workflowId(experimentId: string): string {
  return `activate-experiment:${experimentId}`;
}

/**
 * Starts the activation of `experimentId`, or joins the run already going (USE_EXISTING): every
 * concurrent caller gets a handle on the same run. A later call after the run closed starts a new
 * one (ALLOW_DUPLICATE), which finds ALREADY_ACTIVE if nothing changed.
 */
export async function startOrJoin(
  client: Client,
  experimentId: string,
  requestedBy: string | null,
  taskQueue: string = DEFAULT_TASK_QUEUE,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const input: ActivationRequest = { experimentId, requestedBy };
  return client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId(experimentId),
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    args: [input],
    typedSearchAttributes: [{ key: EXPERIMENT_ID, value: experimentId }],
    staticSummary: `Activate ${experimentId} requested by ${requestedBy ?? 'an anonymous caller'}`,
  });
}

/** Start or join, then wait for the result. */
export async function activate(
  client: Client,
  experimentId: string,
  requestedBy: string | null,
  taskQueue: string = DEFAULT_TASK_QUEUE,
): Promise<ActivationResult> {
  const handle = await startOrJoin(client, experimentId, requestedBy, taskQueue);
  return (await handle.result()) as ActivationResult;
}
