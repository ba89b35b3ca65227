"""Start or join an experiment activation through Temporal by the contract alone (CONTRACT.md,
"Temporal"), and read its result. `python activate.py exp_123456 alice` against a running dev stack."""

import asyncio
import os
import sys
from typing import Any, Optional

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

WORKFLOW_TYPE = "ActivateExperiment"
TASK_QUEUE = os.environ.get("TEMPORAL_TASK_QUEUE", "experiment-activation")
EXPERIMENT_ID = SearchAttributeKey.for_keyword("ExperimentId")


def workflow_id(experiment_id: str) -> str:
    return f"activate-experiment:{experiment_id}"


async def start_or_join(
    client: Client, experiment_id: str, requested_by: Optional[str]
) -> WorkflowHandle[Any, Any]:
    """Starts the activation, or joins the run already going (USE_EXISTING)."""
    return await client.start_workflow(
        WORKFLOW_TYPE,
        {"experimentId": experiment_id, "requestedBy": requested_by},
        id=workflow_id(experiment_id),
        task_queue=TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        search_attributes=TypedSearchAttributes([SearchAttributePair(EXPERIMENT_ID, experiment_id)]),
        static_summary=f"Activate {experiment_id} requested by {requested_by or 'an anonymous caller'}",
    )


async def activate(client: Client, experiment_id: str, requested_by: Optional[str]) -> dict:
    """Start or join, then wait for the result: {"experimentId", "outcome", "message", "violations", ...}."""
    handle = await start_or_join(client, experiment_id, requested_by)
    return await handle.result()


async def main() -> None:
    client = await Client.connect(
        os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
    )
    result = await activate(client, sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    print(result["outcome"], result["message"])


if __name__ == "__main__":
    asyncio.run(main())
