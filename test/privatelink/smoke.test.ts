import { afterEach, it } from "vitest";
import { uninstallFakeAws } from "../fakes/aws.js";
import { runCli } from "../helpers/cli.js";
import { seedWorld, vpcFlags } from "./world.js";
afterEach(() => uninstallFakeAws());
it("smoke", async () => {
  const w = seedWorld();
  const r = await runCli(["privatelink", "relay", "--target-ip", "192.168.0.10", "--ports", "80,443", "--relay-ip", "172.16.0.10", "--onprem-ip", "10.200.0.10", "--onprem-ports", "80", ...vpcFlags(w), "--yes"], { aws: w.aws });
  console.log(r.code, r.stderr, r.stdout);
  console.log(w.aws.operations({ writesOnly: true }));
});
