// The patch management components and the pure logic they validate with.
export * from "./errors";
export * from "./baselineRules";
export * from "./baselineOverride";
export * from "./schedule";
export * from "./rateControl";
export * from "./targets";
export * from "./patchBaseline";
export * from "./patchGroup";
export * from "./maintenanceWindow";
export * from "./patchPolicy";
export * from "./quickSetup";
export * from "./quickSetupPatchPolicy";
