import type { Instance } from "@aws-sdk/client-ec2";
import { listInstances, nameOf } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { VpcwireError } from "../core/errors.js";
import { instanceOs } from "./aws.js";
import { type FletsFlags, validateFletsFlags } from "./inputs.js";

/** What the seed setup (NTT East's example) uses; shown as examples, never as defaults. */
const EXAMPLE = { prefix: "2001:db8::/64", router: "192.168.103.254", privateIp: "10.216.0.101" };

/** Placeholders that satisfy the other rules, so one answer is checked with exactly its flag's rule. */
const VALID = { prefix: EXAMPLE.prefix, router: "198.51.100.254", instanceId: "i-00000000" };

/** The wizard's picker value for "type the private IP instead". */
const TYPE_IP = "";

/**
 * Ask for what the flags did not give. Answers are checked with the same rules as the flags (one
 * validator), and the result goes through the same validation. The instance picker appears only when
 * the account can be read; otherwise the private IP is typed and nothing is read from AWS.
 */
export async function fletsWizard(ctx: Context, given: FletsFlags, region: string | null): Promise<FletsFlags> {
  const { prompt } = ctx.io;
  const flags: Record<string, unknown> = { ...given };
  /** The flag's rule applied to one answer: true, or the message without the flag name. */
  const rule = (key: string) => (value: string) => {
    try {
      validateFletsFlags({ ...VALID, ...flags, [key]: value.trim() });
      return true as const;
    } catch (error) {
      return error instanceof VpcwireError ? error.message.replace(/^--[\w-]+: /, "") : String(error);
    }
  };

  if (flags.prefix === undefined) {
    flags.prefix = (
      await prompt.input({ message: `IPv6 /64 prefix NTT assigned to the ISATAP link (e.g. ${EXAMPLE.prefix}):`, validate: rule("prefix") })
    ).trim();
  }
  if (flags.router === undefined) {
    flags.router = (
      await prompt.input({
        message: `IPv4 address of NTT's ISATAP router (in NTT East's example ${EXAMPLE.router}; use the one in your contract papers):`,
        validate: rule("router"),
      })
    ).trim();
  }

  let picked: Instance | undefined;
  if (flags.privateIp === undefined && flags.instanceId === undefined) {
    const instances = await instancesIfReadable(ctx, region);
    if (instances.length > 0) {
      const choice = await prompt.select<string>({
        message: "Which EC2 instance ends the ISATAP tunnel? (vpcwire then also checks its security group and routes)",
        choices: [
          ...instances.map((i) => ({
            name: `${i.InstanceId}  ${nameOf(i.Tags) ?? "(no name)"}  ${i.PrivateIpAddress ?? "(no private IP)"}  ${i.PlatformDetails ?? instanceOs(i)}  ${i.State?.Name ?? ""}`.trimEnd(),
            value: i.InstanceId!,
          })),
          { name: "none of these: type the private IP (files only, AWS is not checked)", value: TYPE_IP },
        ],
      });
      if (choice !== TYPE_IP) {
        flags.instanceId = choice;
        picked = instances.find((i) => i.InstanceId === choice);
      }
    }
    if (flags.instanceId === undefined) {
      flags.privateIp = (
        await prompt.input({ message: `Private IPv4 address of the instance (e.g. ${EXAMPLE.privateIp}):`, validate: rule("privateIp") })
      ).trim();
    }
  }

  if (flags.os === undefined) {
    const detected = picked ? instanceOs(picked) : undefined;
    flags.os = await prompt.select({
      message: detected ? `Operating system of the instance (EC2 reports ${picked?.PlatformDetails ?? detected}):` : "Operating system of the instance:",
      choices: [
        { name: "Linux (iproute2, systemd or rc.local, nftables or ip6tables)", value: "linux" },
        { name: "Windows (netsh, PowerShell)", value: "windows" },
      ],
      default: detected ?? "linux",
    });
  }
  if (String(flags.os).toLowerCase() === "linux" && flags.boot === undefined) {
    flags.boot = await prompt.select({
      message: "How should the tunnel come up at boot?",
      choices: [
        { name: "systemd unit (Amazon Linux 2023 and other current distributions)", value: "systemd" },
        { name: "a block for /etc/rc.local (older Amazon Linux, as in NTT's own setup)", value: "rc.local" },
      ],
      default: "systemd",
    });
  }
  if (flags.allow === undefined) {
    const allow = (
      await prompt.input({
        message: "What may the site open on the instance over FLET'S? (comma list of tcp:PORT, udp:PORT, tcp:FROM-TO, icmpv6; empty: nothing)",
        default: "",
        validate: (v) => (v.trim() === "" ? true : rule("allow")(v)),
      })
    ).trim();
    if (allow !== "") flags.allow = allow;
  }
  return flags;
}

/** The account's instances, or none when it cannot be read (no credentials, no Region, no permission). */
async function instancesIfReadable(ctx: Context, region: string | null): Promise<Instance[]> {
  if (region === null) {
    ctx.io.info("No AWS Region is configured, so no instance can be listed; type the private IP instead.");
    return [];
  }
  try {
    return await listInstances(ctx);
  } catch (error) {
    if (!(error instanceof VpcwireError)) throw error;
    ctx.io.info(`Could not list EC2 instances (${error.message}); type the private IP instead.`);
    return [];
  }
}
