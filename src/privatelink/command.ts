import { type Command, Option } from "commander";
import type { ActionFactory } from "../cli/kit.js";
import { collectList } from "../cli/options.js";

/** `vpcwire privatelink ...`: flags and help only; the implementation is imported when the command runs. */
export function registerPrivatelink(privatelink: Command, action: ActionFactory): void {
  privatelink
    .command("relay")
    .description(
      "relay on-prem <-> an existing EC2 through a relay VPC: per direction an internal Network Load Balancer, an endpoint service and an interface endpoint, then print the address map (and NAT server rules when one is needed)",
    )
    .option("--stack <name>", "stack name used to tag and find everything (default: relay-<vpc>-<host>)")
    .option("--target-ip <ipv4>", "inbound: private IP of the existing EC2 that on-prem must reach")
    .option("--target-instance <id>", "inbound: the existing EC2 by instance id (its private IP is read from AWS)")
    .option("--ports <ports>", "inbound: TCP ports to relay to the target (repeatable or comma list)", collectList)
    .option("--target-vpc-id <id>", "the VPC of the existing EC2")
    .option("--target-subnets <ids>", "subnets of the target VPC, one per zone: the inbound load balancer and the outbound endpoint go here", collectList)
    .option("--relay-vpc-id <id>", "the relay VPC that on-prem reaches over the VPN")
    .option("--relay-subnets <ids>", "subnets of the relay VPC, one per zone: the inbound endpoint and the outbound load balancer go here", collectList)
    .option("--relay-ip <ipv4>", "inbound: the address on-prem connects to; in a relay subnet the endpoint sits on it, otherwise a NAT server holds it")
    .option(
      "--allow-from <cidrs>",
      "inbound: who may connect to the relay endpoint (default: 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10)",
      collectList,
    )
    .option("--onprem-ip <ipv4>", "outbound: private IP of the on-prem host the existing EC2 must reach")
    .option("--onprem-ports <ports>", "outbound: TCP ports to relay to the on-prem host (repeatable or comma list)", collectList)
    .addOption(
      new Option("--nat <kind>", "NAT server rules to render (default: none when the relay IP sits on the endpoint, else nftables)").choices([
        "nftables",
        "iptables",
        "none",
      ]),
    )
    .option("--out <file>", "write the NAT server rules here instead of stdout")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire privatelink relay --dry-run --offline --target-ip 192.168.0.10 --ports 80,443 \\
      --target-vpc-id vpc-0123456789abcdef0 --target-subnets subnet-0123456789abcdef0 \\
      --relay-vpc-id vpc-0fedcba9876543210 --relay-subnets subnet-0fedcba9876543210 --relay-ip 172.16.0.10
  vpcwire privatelink relay --target-instance i-0123456789abcdef0 --ports 443 --relay-ip 172.16.0.10 \\
      --target-vpc-id vpc-0123456789abcdef0 --target-subnets subnet-0123456789abcdef0,subnet-0123456789abcdef1 \\
      --relay-vpc-id vpc-0fedcba9876543210 --relay-subnets subnet-0fedcba9876543210 \\
      --onprem-ip 10.200.0.10 --onprem-ports 80 --yes
  vpcwire privatelink relay --target-ip 192.168.0.10 --ports 80 --relay-ip 172.16.9.10 --nat iptables \\
      --out nat.sh --target-vpc-id vpc-0123456789abcdef0 --target-subnets subnet-0123456789abcdef0 \\
      --relay-vpc-id vpc-0fedcba9876543210 --relay-subnets subnet-0fedcba9876543210 --json`,
    )
    .action(action(async () => (await import("./relay.js")).privatelinkRelay));
}
