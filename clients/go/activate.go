// Package activation starts or joins an experiment activation through Temporal by the contract
// alone (CONTRACT.md, "Temporal") and reads its result.
package activation

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

const (
	WorkflowType     = "ActivateExperiment"
	DefaultTaskQueue = "experiment-activation"
)

var experimentIDKey = temporal.NewSearchAttributeKeyKeyword("ExperimentId")

// Request is the workflow input.
type Request struct {
	ExperimentID string  `json:"experimentId"`
	RequestedBy  *string `json:"requestedBy"`
}

type Violation struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Result is the workflow result; a business outcome is a value, never a workflow failure.
type Result struct {
	ExperimentID   string         `json:"experimentId"`
	Outcome        string         `json:"outcome"`
	Message        string         `json:"message"`
	Violations     []Violation    `json:"violations"`
	Experiment     map[string]any `json:"experiment"`
	PreviousStatus *string        `json:"previousStatus"`
	ActivatedAt    *string        `json:"activatedAt"`
}

func WorkflowID(experimentID string) string { return "activate-experiment:" + experimentID }

// StartOrJoin starts the activation, or joins the run already going (USE_EXISTING).
func StartOrJoin(ctx context.Context, c client.Client, taskQueue, experimentID string, requestedBy *string) (client.WorkflowRun, error) {
	by := "an anonymous caller"
	if requestedBy != nil {
		by = *requestedBy
	}
	return c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(experimentID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(experimentIDKey.ValueSet(experimentID)),
		StaticSummary:            fmt.Sprintf("Activate %s requested by %s", experimentID, by),
	}, WorkflowType, Request{ExperimentID: experimentID, RequestedBy: requestedBy})
}

// Activate starts or joins, then waits for the result.
func Activate(ctx context.Context, c client.Client, taskQueue, experimentID string, requestedBy *string) (Result, error) {
	var result Result
	run, err := StartOrJoin(ctx, c, taskQueue, experimentID, requestedBy)
	if err != nil {
		return result, err
	}
	err = run.Get(ctx, &result)
	return result, err
}
