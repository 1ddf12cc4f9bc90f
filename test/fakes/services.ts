import type { FakeService } from "./aws.js";
import { directConnect } from "./dx.js";
import { ec2Networking } from "./ec2.js";
import { vpcEndpoints } from "./ec2-endpoints.js";
import { prefixLists } from "./ec2-prefix-lists.js";
import { transitGateways } from "./ec2-tgw.js";
import { ec2VpnDevices } from "./ec2-vpn-devices.js";
import { elasticLoadBalancing } from "./elbv2.js";
import { secretsManager } from "./secrets-manager.js";

/** Every fake service, in install order. Capabilities add theirs here. */
export const ALL_SERVICES: FakeService[] = [
  ec2Networking,
  directConnect,
  elasticLoadBalancing,
  vpcEndpoints,
  ec2VpnDevices,
  prefixLists,
  secretsManager,
  transitGateways,
];
