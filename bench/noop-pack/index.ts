// A pack with a single policy that accepts every resource: the floor the benchmark measures
// the analyzer protocol (and @pulumi/policy's per-resource work) against.
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("noop", {
    policies: [{
        name: "noop",
        description: "Checks nothing.",
        enforcementLevel: "advisory",
        validateResource: () => undefined,
    }],
});
