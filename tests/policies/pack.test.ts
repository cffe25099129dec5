// The policy suites that drive the real pack over the analyzer protocol (tests/policies/pack/),
// run against one pack process: one `pulumi preview` also starts its pack once and sends it every
// resource. Each analysis sends its own ConfigureStack and Configure with every policy's config, so
// no suite sees another's. Run one suite with `-g`, for example:
//   npx mocha --no-config -r ts-node/register/transpile-only --extension ts tests/policies/pack.test.ts -g ec2-instance-ssm-managed
import { usePack } from "./helpers";
import { advisoryPolicies } from "./pack/advisory";
import { environmentTagPolicy } from "./pack/environmentTag";
import { launchTagRules } from "./pack/launchTags";
import { patchCoveragePolicy } from "./pack/patchCoverage";
import { ssmManagedPolicy } from "./pack/ssmManaged";
import { wholePrograms } from "./pack/stacks";

describe("the patch-compliance pack (one process)", () => {
    const analyze = usePack();
    environmentTagPolicy(analyze);
    patchCoveragePolicy(analyze);
    ssmManagedPolicy(analyze);
    launchTagRules(analyze);
    advisoryPolicies(analyze);
    wholePrograms(analyze);
});
