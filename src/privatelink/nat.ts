import { STACK_NAME_RE } from "../aws/tags.js";
import { VpcwireError } from "../core/errors.js";
import { isIpv4 } from "../net/ip.js";
import { render } from "../render/render.js";
import { natNames } from "./names.js";

/** The endpoint address in a preview whose endpoint does not exist yet. It makes the rules fail to load, on purpose. */
export const ENDPOINT_IP_PLACEHOLDER = "<INBOUND-ENDPOINT-IP>";

/** Where the rules go on the NAT server, by format. */
export const NAT_INSTALL = {
  nftables: { path: "/etc/nftables/vpcwire-relay.nft", load: "nft -f /etc/nftables/vpcwire-relay.nft" },
  iptables: { path: "/usr/local/sbin/vpcwire-relay-nat.sh", load: "sh /usr/local/sbin/vpcwire-relay-nat.sh" },
} as const;

export interface NatRulesInput {
  format: "nftables" | "iptables";
  stack: string;
  /** The address on-prem connects to; the NAT server holds it. */
  relayIp: string;
  /** The inbound endpoint's interface the NAT server forwards to (or the placeholder in a preview). */
  endpointIp: string;
  /** The endpoint's other interfaces (other zones), listed in a comment as alternatives. */
  otherEndpointIps: string[];
  ports: number[];
}

export interface NatRules {
  format: "nftables" | "iptables";
  /** True when the endpoint address is a placeholder: the text must be completed before use. */
  preview: boolean;
  path: string;
  load: string;
  text: string;
}

/** A value that would reach the rules but is not what it should be (an AWS answer, never user input: that is checked first). */
export class NatRulesError extends VpcwireError {
  constructor(message: string) {
    super(message, 1);
  }
}

/**
 * Render the NAT server's rules: DNAT relay-ip:port -> endpoint:port, and SNAT of those connections
 * to the relay IP so the endpoint's replies come back through the server (sent straight to on-prem,
 * they would come from an address on-prem never connected to). Every value is checked before it
 * reaches the text, because the result is loaded as root.
 */
export function renderNatRules(input: NatRulesInput): NatRules {
  const preview = input.endpointIp === ENDPOINT_IP_PLACEHOLDER;
  const bad = (what: string, value: unknown): never => {
    throw new NatRulesError(`${what} ${JSON.stringify(value).slice(0, 64)} is not valid in NAT rules`);
  };
  if (input.format !== "nftables" && input.format !== "iptables") bad("format", input.format);
  if (!STACK_NAME_RE.test(input.stack)) bad("stack name", input.stack);
  if (!isIpv4(input.relayIp)) bad("relay IP", input.relayIp);
  if (!preview && !isIpv4(input.endpointIp)) bad("endpoint IP", input.endpointIp);
  for (const ip of input.otherEndpointIps) if (!isIpv4(ip)) bad("endpoint IP", ip);
  if (input.ports.length === 0) bad("port list", input.ports);
  for (const p of input.ports) if (!Number.isInteger(p) || p < 1 || p > 65535) bad("port", p);
  if (input.endpointIp === input.relayIp) bad("endpoint IP (same as the relay IP)", input.endpointIp);

  const names = natNames(input.stack);
  for (const n of [names.dnatChain, names.snatChain, names.forwardChain]) if (!/^[A-Za-z0-9_-]{1,28}$/.test(n)) bad("chain name", n);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(names.table)) bad("table name", names.table);

  const install = NAT_INSTALL[input.format];
  const model = {
    stack: input.stack,
    relayIp: input.relayIp,
    endpointIp: input.endpointIp,
    otherEndpointIps: input.otherEndpointIps,
    hasOthers: input.otherEndpointIps.length > 0,
    ports: input.ports,
    portSet: input.ports.join(", "),
    portList: input.ports.join(","),
    preview,
    placeholder: ENDPOINT_IP_PLACEHOLDER,
    install,
    ...names,
  };
  const text = render(`privatelink/${input.format}.hbs`, model);
  return { format: input.format, preview, path: install.path, load: install.load, text };
}
