// What main needs once a command runs, as one module: the built CLI loads it as one file (not four).
export { realClock } from "../core/context.js";
export { rejectEmptyValues } from "../core/flags.js";
export { createIo } from "../ui/io.js";
export { toGlobalConfig } from "./config.js";
