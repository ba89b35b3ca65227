"""The Python example against a dev stack (scripts/test-clients starts one; TEMPORAL_ADDRESS says where)."""

import asyncio
import os
import unittest

from temporalio.client import Client

from activate import activate, start_or_join, workflow_id


class ActivateTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.client = await Client.connect(
            os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
            namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
        )

    async def test_an_active_experiment_is_already_active(self) -> None:
        result = await activate(self.client, "exp_active", "python-client")
        self.assertEqual(result["outcome"], "ALREADY_ACTIVE")
        self.assertEqual(result["experiment"]["status"], "ACTIVE")

    async def test_an_expired_experiment_is_rejected_with_its_violation(self) -> None:
        result = await activate(self.client, "exp_expired", "python-client")
        self.assertEqual(result["outcome"], "REJECTED")
        self.assertIn("END_DATE_NOT_IN_FUTURE", [v["code"] for v in result["violations"]])

    async def test_concurrent_starts_join_one_run(self) -> None:
        handles = await asyncio.gather(
            *(start_or_join(self.client, "exp_missing_python", f"caller-{i}") for i in range(4))
        )
        self.assertEqual(len({handle.first_execution_run_id for handle in handles}), 1)
        results = await asyncio.gather(*(handle.result() for handle in handles))
        self.assertEqual({result["outcome"] for result in results}, {"NOT_FOUND"})
        self.assertEqual(handles[0].id, workflow_id("exp_missing_python"))


if __name__ == "__main__":
    unittest.main()
