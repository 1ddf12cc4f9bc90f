/**
 * A Context for unit tests of the shared modules: real SDK clients (patch them with
 * aws-sdk-client-mock), the fake clock, and an Io that records what it was told.
 */
import { DirectConnectClient } from "@aws-sdk/client-direct-connect";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsClients } from "../../src/aws/clients.js";
import type { Context, GlobalConfig } from "../../src/core/context.js";
import type { Io, Task } from "../../src/core/io.js";
import { FakeClock } from "../fakes/model.js";

export interface RecordingIo extends Io {
  /** Everything said, as `kind: text` lines (tasks as `task label: update state`, `task label: fail text`). */
  lines: string[];
}

export function recordingIo(): RecordingIo {
  const lines: string[] = [];
  const say = (kind: string) => (text: string) => {
    lines.push(`${kind}: ${text}`);
  };
  const id = (s: string) => s;
  return {
    lines,
    interactive: false,
    result: say("result"),
    info: say("info"),
    warn: say("warn"),
    success: say("success"),
    debug: say("debug"),
    task(label: string): Task {
      lines.push(`task ${label}: start`);
      return {
        update: (state) => lines.push(`task ${label}: update ${state}`),
        succeed: (text) => lines.push(`task ${label}: succeed${text === undefined ? "" : ` ${text}`}`),
        fail: (text) => lines.push(`task ${label}: fail${text === undefined ? "" : ` ${text}`}`),
      };
    },
    prompt: new Proxy({} as Io["prompt"], {
      get() {
        throw new Error("a unit test must not prompt");
      },
    }),
    style: { bold: id, dim: id, green: id, yellow: id, red: id, cyan: id },
  };
}

const CONFIG: GlobalConfig = { json: false, yes: true, dryRun: false, offline: false, color: false, verbose: true, revealSecrets: false };

export function testContext(opts: { signal?: AbortSignal; config?: Partial<GlobalConfig> } = {}): Context & { io: RecordingIo; clock: FakeClock } {
  const clock = new FakeClock();
  const common = { region: "ap-northeast-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } };
  const clients: AwsClients = {
    ec2: new EC2Client(common),
    dx: new DirectConnectClient(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
    secretsmanager: new SecretsManagerClient(common),
  };
  const ctx: Context & { io: RecordingIo; clock: FakeClock } = {
    io: recordingIo(),
    config: { ...CONFIG, ...opts.config },
    clients: { get: async (service) => clients[service] },
    env: {},
    cwd: "/",
    signal: opts.signal ?? new AbortController().signal,
    now: clock.now,
    sleep: clock.sleep,
    clock,
  };
  return ctx;
}
