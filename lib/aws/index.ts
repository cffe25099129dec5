// One home for each AWS rule the components, the program and patchctl share. The policy pack, a
// separately published package, keeps its own copy (tests/policies/rules.test.ts checks they agree).
export * from "./iam";
export * from "./nodes";
export * from "./patchDocument";
export * from "./rateControl";
export * from "./regions";
