// Verifies Standard Webhooks deliveries with the specification's reference library, independently
// of the worker's Java signer. Started once by a test with the secret as its only argument; reads one
// JSON object a line on stdin, {"headers": {...}, "body": "..."}, and answers one line for each:
// "ok" or "error: <why>".
import { createInterface } from "node:readline";
import { Webhook } from "standardwebhooks";

const secret = process.argv[2];
if (!secret) {
  console.error("usage: node verify.mjs <whsec_secret>");
  process.exit(2);
}
const webhook = new Webhook(secret);
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === "") continue;
  try {
    const { headers, body } = JSON.parse(line);
    webhook.verify(body, headers);
    process.stdout.write("ok\n");
  } catch (e) {
    process.stdout.write(`error: ${String(e.message).replace(/\s+/g, " ")}\n`);
  }
}
