import type { Command } from "commander";
import type { ActionFactory } from "./kit.js";
import { registerVpn } from "../vpn/command.js";
import { registerLifecycle } from "../lifecycle/command.js";
import { registerFlets } from "../flets/command.js";
import { registerDx } from "../dx/command.js";
import { registerPrivatelink } from "../privatelink/command.js";

/** The command tree. Each capability registers its flags; implementations load lazily. */
export function registerAll(program: Command, action: ActionFactory): void {
  registerVpn(program, action);
  registerLifecycle(program, action);
  registerFlets(program, action);
  registerDx(program, action);
  registerPrivatelink(program, action);
}
