import type { Command } from "commander";
import { registerDx } from "../dx/command.js";
import { registerExport } from "../export/command.js";
import { registerFlets } from "../flets/command.js";
import { registerLifecycle } from "../lifecycle/command.js";
import { registerPolicy } from "../policy/command.js";
import { registerPrivatelink } from "../privatelink/command.js";
import { registerRoute } from "../route/command.js";
import { registerVpn } from "../vpn/command.js";
import type { ActionFactory } from "./kit.js";

/** The command tree: the four capabilities, then the lifecycle of their stacks. Implementations load lazily. */
export function registerAll(program: Command, action: ActionFactory): void {
  registerVpn(program, action);
  registerDx(program, action);
  registerFlets(program, action);
  registerPrivatelink(program, action);
  registerLifecycle(program, action);
  registerExport(program, action);
  registerRoute(program, action);
  registerPolicy(program, action);
}
