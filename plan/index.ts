import { parseStackConfig, rawStackConfig } from "../program/config";
import { deploy } from "../program";
import { loadStackConfigFile, projectName, stackConfigPath } from "./stackFile";
import { Plan, planStack } from "./run";

export { Plan, PlannedResource, planStack } from "./run";

export interface PlanRequest {
    /** Stack name; its Pulumi.<stack>.yaml is read unless configFile is given. */
    stack: string;
    /** A config file in the Pulumi.<stack>.yaml format to use instead. */
    configFile?: string;
    /** Config to use instead of any file (namespaced keys, values as the engine passes them). */
    config?: Record<string, string>;
    /** Keep the runtime's stack traces (slow; for --debug). Defaults to false. */
    captureStacks?: boolean;
}

/**
 * The offline plan of a stack: validates its config (throwing a ValidationError that names the
 * config key) before anything is registered, then runs the program under mocks.
 */
export async function planProgram(req: PlanRequest): Promise<Plan> {
    const config = req.config ?? loadStackConfigFile(req.configFile ?? stackConfigPath(req.stack));
    // Parsed once: the plan deploys the same resolved config the error check produced.
    const cfg = parseStackConfig(rawStackConfig(config), config["aws:region"]);
    return planStack({ project: projectName(), stack: req.stack, config, program: async () => deploy(cfg), captureStacks: req.captureStacks });
}
