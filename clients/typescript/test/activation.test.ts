// Runs against a dev stack (scripts/test-clients starts one): TEMPORAL_ADDRESS, STARTER_URL and
// STARTER_TOKEN say where. The seeds' states are the dev stack's (README, "The dev stack seeds").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { activate, ActivateAnswer, startOrJoin, StarterClient, workflowId } from '../src/index.js';

const codeOf = (answer: ActivateAnswer) => (answer.status === 200 ? undefined : answer.body.code);

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const starter = new StarterClient({
  baseUrl: process.env.STARTER_URL ?? 'http://127.0.0.1:8080',
  token: process.env.STARTER_TOKEN,
});

let connection: Connection;
let client: Client;

before(async () => {
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace });
});

after(async () => {
  await connection?.close();
});

describe('through the Temporal client', () => {
  test('activates a pending experiment', async () => {
    const result = await activate(client, 'exp_123456', 'ts-client');
    assert.equal(result.outcome, 'ACTIVATED');
    assert.equal(result.previousStatus, 'PENDING');
    assert.equal(result.experiment?.status, 'ACTIVE');
    assert.ok(result.activatedAt);
  });

  test('joins one run with 8 concurrent starts', async () => {
    const handles = await Promise.all(
      Array.from({ length: 8 }, (_, i) => startOrJoin(client, 'exp_three_way', `ts-caller-${i}`)),
    );
    const runIds = new Set(handles.map((handle) => handle.firstExecutionRunId));
    assert.equal(runIds.size, 1, `one run, got ${[...runIds].join(', ')}`);
    const results = await Promise.all(handles.map((handle) => handle.result()));
    for (const result of results) {
      assert.equal(result.outcome, 'ACTIVATED');
    }
    const description = await handles[0].describe();
    assert.equal(description.workflowId, workflowId('exp_three_way'));
    assert.equal(description.type, 'ActivateExperiment');
    assert.equal(description.taskQueue, 'experiment-activation');
  });

  test('finds an active experiment already active', async () => {
    const result = await activate(client, 'exp_active', 'ts-client');
    assert.equal(result.outcome, 'ALREADY_ACTIVE');
    assert.equal(result.experiment?.status, 'ACTIVE');
  });

  test('reports a rejected experiment with its violations', async () => {
    const result = await activate(client, 'exp_completed', 'ts-client');
    assert.equal(result.outcome, 'REJECTED');
    assert.deepEqual(
      result.violations.map((violation) => violation.code),
      ['STATUS_TERMINAL'],
    );
  });
});

describe('through the HTTP starter', () => {
  test('activates a stopped experiment: 200 with the row', async () => {
    const answer = await starter.activate('exp_stopped');
    assert.equal(answer.status, 200);
    if (answer.status === 200) {
      assert.equal(answer.body.success, true);
      assert.equal(answer.body.data.id, 'exp_stopped');
      assert.equal(answer.body.data.status, 'ACTIVE');
    }
  });

  test('answers 409 ALREADY_ACTIVE', async () => {
    const answer = await starter.activate('exp_active');
    assert.equal(answer.status, 409);
    assert.equal(codeOf(answer), 'ALREADY_ACTIVE');
  });

  test('answers 422 REJECTED with the violations', async () => {
    const answer = await starter.activate('exp_bad_config');
    assert.equal(answer.status, 422);
    assert.equal(codeOf(answer), 'REJECTED');
    const violations = answer.body.success ? [] : (answer.body.details as { code: string }[]);
    assert.ok(violations.some((violation) => violation.code === 'WEIGHTS_DO_NOT_SUM_TO_ONE'));
  });

  test('answers 404 for an unknown experiment', async () => {
    const answer = await starter.activate('exp_missing_ts');
    assert.equal(answer.status, 404);
    assert.equal(codeOf(answer), 'NOT_FOUND');
  });

  test('reads the latest run and the audit history', async () => {
    const run = await starter.activation('exp_stopped');
    assert.ok('status' in run && run.status === 'COMPLETED');
    const page = await starter.history('exp_stopped', 10);
    assert.ok('records' in page);
    assert.equal(page.records[0].outcome, 'ACTIVATED');
    assert.equal(page.records[0].requestedBy, 'test-clients');
  });
});
