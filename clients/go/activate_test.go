package activation

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// Runs against a dev stack (scripts/test-clients starts one; TEMPORAL_ADDRESS says where).
func dial(t *testing.T) client.Client {
	address := os.Getenv("TEMPORAL_ADDRESS")
	if address == "" {
		address = "127.0.0.1:7233"
	}
	c, err := client.Dial(client.Options{HostPort: address, Namespace: "default"})
	if err != nil {
		t.Fatalf("connect to Temporal at %s: %v", address, err)
	}
	t.Cleanup(c.Close)
	return c
}

func context30s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAnActiveExperimentIsAlreadyActive(t *testing.T) {
	by := "go-client"
	result, err := Activate(context30s(t), dial(t), DefaultTaskQueue, "exp_active", &by)
	if err != nil {
		t.Fatal(err)
	}
	if result.Outcome != "ALREADY_ACTIVE" || result.Experiment["status"] != "ACTIVE" {
		t.Fatalf("got %+v", result)
	}
}

func TestAFailedExperimentIsRejected(t *testing.T) {
	result, err := Activate(context30s(t), dial(t), DefaultTaskQueue, "exp_failed", nil)
	if err != nil {
		t.Fatal(err)
	}
	if result.Outcome != "REJECTED" || len(result.Violations) == 0 || result.Violations[0].Code != "STATUS_TERMINAL" {
		t.Fatalf("got %+v", result)
	}
}

func TestConcurrentStartsJoinOneRun(t *testing.T) {
	c, ctx := dial(t), context30s(t)
	runIDs := make([]string, 4)
	results := make([]Result, 4)
	var wg sync.WaitGroup
	for i := range runIDs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			run, err := StartOrJoin(ctx, c, DefaultTaskQueue, "exp_missing_go", nil)
			if err != nil {
				t.Error(err)
				return
			}
			runIDs[i] = run.GetRunID()
			if err := run.Get(ctx, &results[i]); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	for i := range runIDs {
		if runIDs[i] != runIDs[0] || results[i].Outcome != "NOT_FOUND" {
			t.Fatalf("run %d: %s %+v, want run %s NOT_FOUND", i, runIDs[i], results[i], runIDs[0])
		}
	}
}
