// Entry point of the Pulumi program: `pulumi up` runs the exported function.
import { main } from "./program";

export = main;
